#include "perf/HeadlessRun.h"

#include "Experiment.h"
#include "perf/Heartbeat.h"
#include "training/TrainingController.h"

#include "latentlab/Trainer.h"

#include <chrono>
#include <stdexcept>

namespace latentlab::gui {

namespace {
using Clock = std::chrono::steady_clock;
} // namespace

HeadlessRun::HeadlessRun(const app::RunConfig& config, std::shared_ptr<const data::Dataset> data, double warmup)
    : m_config(config), m_data(std::move(data)), m_warmup(warmup), m_thread([this] { work(); }) {}

HeadlessRun::~HeadlessRun() {
    request(-1);
    m_thread.join();
}

double HeadlessRun::runSlice(double seconds) {
    request(seconds);
    std::unique_lock<std::mutex> lock(m_mutex);
    m_changed.wait(lock, [this] { return m_request == 0; });
    if (m_failure) std::rethrow_exception(m_failure);
    return m_sliceRate;
}

double HeadlessRun::rate() const {
    return m_seconds > 0 ? double(m_steps) * m_config.training.batchSize / m_seconds : 0;
}

void HeadlessRun::request(double seconds) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_request = seconds;
    m_changed.notify_all();
}

void HeadlessRun::work() {
    lowerTrainingPriority(); // as the window's training thread: load falls on both alike
    std::unique_ptr<app::Experiment> e;
    std::unique_ptr<Trainer> trainer;
    for (;;) {
        double seconds = 0;
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_changed.wait(lock, [this] { return m_request != 0; });
            seconds = m_request;
        }
        if (seconds < 0) return;
        try {
            if (!trainer) {
                e = std::make_unique<app::Experiment>(app::Experiment::prepare(m_config, m_data));
                m_data.reset();
                const data::Dataset& d = e->dataset();
                trainer = std::make_unique<Trainer>(e->model(), e->view(), d.trainingRows(),
                                                    m_config.training, true);
                const auto start = Clock::now();
                while (secondsSince(start) < m_warmup)
                    if (!trainer->stepBatch())
                        throw std::runtime_error("headless training stopped in the warm-up: " +
                                                 trainer->lastResult().message);
            }
            const auto t0 = Clock::now();
            long long steps = 0;
            while (secondsSince(t0) < seconds) {
                if (!trainer->stepBatch())
                    throw std::runtime_error("headless training stopped early: " + trainer->lastResult().message);
                ++steps;
            }
            const double elapsed = secondsSince(t0);
            m_steps += steps;
            m_seconds += elapsed;
            m_sliceRate = double(steps) * m_config.training.batchSize / elapsed;
        } catch (...) {
            m_failure = std::current_exception();
        }
        std::lock_guard<std::mutex> lock(m_mutex);
        m_request = 0;
        m_changed.notify_all();
    }
}

} // namespace latentlab::gui
