// How many OpenMP threads the engine's work started from this thread may use.
#pragma once

namespace latentlab {

// While it lives, engine work started from the calling thread runs on that thread alone
// (OpenMP's thread count for the parallel regions this thread starts is 1); the previous
// count comes back when it goes. The window decodes for display under one, so that a
// large decoder never fans out on the GUI thread at its priority, competing with
// training for the cores.
class SingleThreaded {
public:
    SingleThreaded();
    ~SingleThreaded();
    SingleThreaded(const SingleThreaded&) = delete;
    SingleThreaded& operator=(const SingleThreaded&) = delete;

private:
    int m_previous;
};

} // namespace latentlab
