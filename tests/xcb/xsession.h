#pragma once

#include <QString>
#include <QStringList>

#include <optional>

namespace jobmonitor::test {

// Runs a test program on a real X server with a real window manager, because the offscreen
// platform hides what keys, focus and shortcuts do on a desktop (an ambiguous shortcut fires
// offscreen and never on xcb). Call first thing in main(): in the first run it starts Xvfb
// and openbox, runs this same program again on them (QT_QPA_PLATFORM=xcb) and returns its exit
// status; in that second run it returns nothing and main() goes on to run the tests.
std::optional<int> runUnderXSession(int argc, char *argv[]);

// Runs an X client tool (xdotool, wmctrl) on the session's display; its stdout, or nothing
// when it failed.
std::optional<QByteArray> runXTool(const QString &program, const QStringList &arguments);

// Sends keys through the X server (XTEST, as a keyboard does) to whichever window has focus,
// after activating the given window: "ctrl+n", "Return", "shift+Tab".
bool sendKeys(unsigned long long windowId, const QStringList &keys);
// Types text into the focused window of windowId, character by character.
bool typeText(unsigned long long windowId, const QString &text);

} // namespace jobmonitor::test
