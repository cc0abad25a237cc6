// The table of litmus shapes (shapes.cc).
#ifndef RACEFUZZ_TESTS_LITMUS_SHAPES_H_
#define RACEFUZZ_TESTS_LITMUS_SHAPES_H_

#include <vector>

#include "tests/litmus/litmus.h"

namespace racefuzz::litmus {

const std::vector<Shape>& AllShapes();

}  // namespace racefuzz::litmus

#endif  // RACEFUZZ_TESTS_LITMUS_SHAPES_H_
