#include "englishplurals.h"

#include <QCoreApplication>
#include <QTranslator>

namespace jobmonitor {

namespace {

class EnglishPlurals : public QTranslator {
public:
    bool isEmpty() const override { return false; }

    QString translate(const char *, const char *sourceText, const char *, int n) const override {
        if (n < 0 || !sourceText)
            return {};
        QString text = QString::fromUtf8(sourceText);
        if (!text.contains(QLatin1String("(s)")) && !text.contains(QLatin1String("(es)")))
            return {}; // null: not ours, Qt goes on with the source text
        const bool one = n == 1;
        text.replace(QLatin1String("(es)"), one ? QString() : QStringLiteral("es"));
        text.replace(QLatin1String("(s)"), one ? QString() : QStringLiteral("s"));
        return text;
    }
};

} // namespace

void installEnglishPlurals() {
    static EnglishPlurals *translator = nullptr;
    if (translator || !QCoreApplication::instance())
        return;
    translator = new EnglishPlurals;
    translator->setParent(QCoreApplication::instance());
    QCoreApplication::installTranslator(translator);
}

} // namespace jobmonitor
