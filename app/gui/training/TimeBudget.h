// A share of wall time for background work, kept as a token bucket: every second of wall
// time adds `share` seconds to the balance (up to what `memory` seconds add, so a long
// idle spell does not save up a long stall later); the work spends what it really took,
// so an overrun is paid back before the next piece runs. Over any long stretch the work
// takes `share` of the time, whatever its pieces cost: a piece that costs more than the
// memory holds may still save up for itself (see available()), and then runs less often.
//
// The code refresher runs on this while training: the latent plane's codes get a few
// per cent of the training thread's time, not a fixed slice per snapshot.
#pragma once

#include <chrono>

namespace latentlab::gui {

class TimeBudget {
public:
    using Clock = std::chrono::steady_clock;

    TimeBudget(double share, double memory);

    // The share for the time since the last available() too: available() accrues at the
    // share it finds, so call this right before it.
    void setShare(double share);
    // Starts accruing from `now` with an empty balance (training (re)starts).
    void restart(Clock::time_point now);
    // The seconds that may be spent now (negative while an overrun is paid back). The
    // balance saves up to what `memory` seconds add, or to `smallestPiece` if that is more:
    // otherwise work whose smallest piece costs more than the cap could never run.
    double available(Clock::time_point now, double smallestPiece = 0);
    void spend(double seconds) { m_balance -= seconds; }

private:
    double m_share, m_memory;
    double m_balance = 0;
    Clock::time_point m_last;
    bool m_started = false;
};

} // namespace latentlab::gui
