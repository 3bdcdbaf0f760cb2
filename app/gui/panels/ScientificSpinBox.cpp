#include "panels/ScientificSpinBox.h"

#include <QLocale>
#include <cmath>

namespace latentlab::gui {

ScientificSpinBox::ScientificSpinBox(QWidget* parent) : QDoubleSpinBox(parent) {
    setDecimals(12); // the value is kept exactly; the text is ours
    setKeyboardTracking(false);
}

QString ScientificSpinBox::textFromValue(double value) const { return QString::number(value, 'g', 4); }

double ScientificSpinBox::valueFromText(const QString& text) const {
    return text.trimmed().toDouble();
}

QValidator::State ScientificSpinBox::validate(QString& text, int&) const {
    const QString t = text.trimmed();
    if (t.isEmpty() || t == "-" || t.endsWith('e') || t.endsWith("e-") || t.endsWith('.'))
        return QValidator::Intermediate;
    bool ok = false;
    const double v = t.toDouble(&ok);
    if (!ok) return QValidator::Invalid;
    return v >= minimum() && v <= maximum() ? QValidator::Acceptable : QValidator::Intermediate;
}

double ScientificSpinBox::nextStep(double value, bool up) {
    if (value <= 0) return up ? 0.001 : 0;
    // value = m * 10^e with m in [1, 10); the sequence is 1, 2, 5 in every decade.
    const double e = std::floor(std::log10(value) + 1e-9);
    const double base = std::pow(10.0, e);
    const double m = value / base;
    static const double steps[] = {1, 2, 5, 10};
    if (up) {
        for (double s : steps)
            if (s > m * (1 + 1e-9)) return s * base;
        return 10 * base;
    }
    for (int i = 3; i >= 0; --i)
        if (steps[i] < m * (1 - 1e-9)) return steps[i] * base;
    return 0.5 * base;
}

void ScientificSpinBox::stepBy(int steps) {
    double v = value();
    for (int i = 0; i < std::abs(steps); ++i) v = nextStep(v, steps > 0);
    setValue(std::clamp(v, minimum(), maximum()));
}

} // namespace latentlab::gui
