#include "latentlab/Layer.h"

namespace latentlab {

std::string Layer::describe() const { return kind() + " " + inputShape().text() + " → " + outputShape().text(); }

} // namespace latentlab
