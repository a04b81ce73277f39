#pragma once

namespace jobmonitor {

// Makes qsTr("%n job(s)", "", n) read "1 job" and "3 jobs". Qt chooses a plural form only
// from a translation, and the window ships none, so every count would read "1 job(s)". This
// English translation resolves "(s)" and "(es)" by n, so the source strings stay the ones a
// translator is given. Installs itself once; later calls do nothing.
void installEnglishPlurals();

} // namespace jobmonitor
