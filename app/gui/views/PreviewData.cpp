#include "views/PreviewData.h"

#include "views/LatestTask.h"

#include <QLocale>
#include <QObject>

namespace latentlab::gui {

void PreviewData::setDataset(std::shared_ptr<const data::Dataset> full) {
    m_full = std::move(full);
    m_subset.reset();
    m_training = false;
    if (!m_full) return;
    const int64_t train = m_full->trainingRows(), test = m_full->rows - train;
    if (train > m_trainRows || test > m_testRows)
        m_subset = std::make_shared<const data::Dataset>(m_full->evenlySpaced(m_trainRows, m_testRows));
}

bool PreviewData::askAgain(const TrainingSnapshot& s, const std::shared_ptr<const Model>& latest) {
    const bool training = s.state == RunState::Running;
    if (training == m_training) return false;
    m_training = training;
    return !training && m_subset && latest && (!s.decoder || s.decoder == latest);
}

const std::shared_ptr<const data::Dataset>& PreviewData::Sets::forWork() const {
    return pick(askedWhileTraining || LatestTask::startedWhileTraining());
}

void PreviewData::setLimits(int64_t trainRows, int64_t testRows) {
    m_trainRows = trainRows;
    m_testRows = testRows;
}

QString PreviewData::explain(const data::Dataset* data) const {
    if (!m_subset || data != m_subset.get()) return {};
    const QLocale l;
    return QObject::tr("While training: a preview on %1 of the %2 samples; every sample once paused.")
        .arg(l.toString(qlonglong(m_subset->rows)), l.toString(qlonglong(m_full->rows)));
}

} // namespace latentlab::gui
