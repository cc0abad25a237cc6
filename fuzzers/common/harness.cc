#include "fuzzers/common/harness.h"

#include <cstdlib>
#include <cstring>
#include <fstream>

namespace racefuzz::fuzz {

bool PrintPrograms() {
  static const bool print = [] {
    const char* v = std::getenv("RACEFUZZ_PRINT_PROGRAM");
    return v != nullptr && std::strcmp(v, "1") == 0;
  }();
  return print;
}

void WriteFiles(const std::string& dir,
                const std::vector<std::pair<std::string, std::string>>& files) {
  for (const auto& [name, contents] : files) {
    std::ofstream out(dir + "/" + name, std::ios::binary);
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    if (!out) {
      std::fprintf(stderr, "cannot write %s/%s\n", dir.c_str(), name.c_str());
      std::exit(1);
    }
  }
  std::fprintf(stderr, "wrote %zu seeds to %s\n", files.size(), dir.c_str());
}

}  // namespace racefuzz::fuzz
