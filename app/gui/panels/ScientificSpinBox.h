// A spin box for quantities that span decades (learning rate, beta): shows 0.001 or 2e-05
// rather than a fixed number of decimals, and the arrows step along 1, 2, 5, 10, ...
#pragma once

#include <QDoubleSpinBox>

namespace latentlab::gui {

class ScientificSpinBox : public QDoubleSpinBox {
    Q_OBJECT

public:
    explicit ScientificSpinBox(QWidget* parent = nullptr);

    QString textFromValue(double value) const override;
    double valueFromText(const QString& text) const override;
    QValidator::State validate(QString& text, int& pos) const override;
    void stepBy(int steps) override;

    // The next value of the 1-2-5 sequence above (up) or below value.
    static double nextStep(double value, bool up);
};

} // namespace latentlab::gui
