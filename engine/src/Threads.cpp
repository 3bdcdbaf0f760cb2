#include "latentlab/Threads.h"

#include <omp.h>

namespace latentlab {

SingleThreaded::SingleThreaded() : m_previous(omp_get_max_threads()) { omp_set_num_threads(1); }

SingleThreaded::~SingleThreaded() { omp_set_num_threads(m_previous); }

} // namespace latentlab
