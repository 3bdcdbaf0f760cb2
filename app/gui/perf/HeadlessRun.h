// `latentlab --perf-report`'s reference: headless training in a thread of its own.
#pragma once

#include "RunConfig.h"

#include "latentlab/Dataset.h"

#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>

namespace latentlab::gui {

// Headless training: the engine's Trainer alone in a thread of its own, one slice at a
// time, at the window's training priority and in this process (so with the window's
// OpenMP wait policy, not the CLI's). The first slice starts after the warm-up.
class HeadlessRun {
public:
    HeadlessRun(const app::RunConfig& config, std::shared_ptr<const data::Dataset> data, double warmup);
    ~HeadlessRun();
    HeadlessRun(const HeadlessRun&) = delete;
    HeadlessRun& operator=(const HeadlessRun&) = delete;

    // Trains for `seconds` (blocking) and returns samples per second; throws what the
    // training threw.
    double runSlice(double seconds);
    // Samples per second over every slice so far.
    double rate() const;

private:
    void request(double seconds);
    void work();

    const app::RunConfig& m_config;
    std::shared_ptr<const data::Dataset> m_data;
    double m_warmup;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    double m_request = 0; // seconds to train; < 0: end; 0: none (done)
    std::exception_ptr m_failure;
    long long m_steps = 0; // written by the thread while the caller waits
    double m_seconds = 0, m_sliceRate = 0;
    std::thread m_thread; // last: starts once the members above exist
};

} // namespace latentlab::gui
