// The campaign's crash database: one example per signature, duplicates counted, the known-crashes
// file read, and the index surviving a save and load.
#include "cli/crash_index.h"

#include <unistd.h>

#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace racefuzz::cli {
namespace {

class CrashIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("racefuzz_index_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path Touch(const std::string& name) {
    std::ofstream(dir_ / name) << name;
    return dir_ / name;
  }
  static ReportSignature Sig(const std::string& id) { return {"summary " + id, {"f"}, id}; }
  fs::path dir_;
};

TEST_F(CrashIndexTest, FirstFileIsTheExampleDuplicatesAreNot) {
  auto index = CrashIndex::Load(dir_ / "index.json");
  ASSERT_TRUE(index.ok());
  EXPECT_TRUE(index->Add(Sig("a"), "t", "tsan", Touch("crash-1"), "d1"));
  EXPECT_FALSE(index->Add(Sig("a"), "t", "tsan", Touch("crash-2"), "d2"));
  EXPECT_TRUE(index->Add(Sig("b"), "t", "asan", Touch("crash-3"), "d3"));
  ASSERT_EQ(index->entries().size(), 2u);
  const CrashEntry& a = index->entries().at("a");
  EXPECT_EQ(a.hits, 2);
  EXPECT_EQ(a.example, (dir_ / "crash-1").string());
  EXPECT_EQ(a.first_seen, "d1");
}

TEST_F(CrashIndexTest, ExampleGoneNextFileTakesOver) {
  auto index = CrashIndex::Load(dir_ / "index.json");
  ASSERT_TRUE(index.ok());
  index->Add(Sig("a"), "t", "tsan", Touch("crash-1"), "d1");
  fs::remove(dir_ / "crash-1");
  EXPECT_TRUE(index->Add(Sig("a"), "t", "tsan", Touch("crash-2"), "d2"));
  EXPECT_EQ(index->entries().at("a").example, (dir_ / "crash-2").string());
  EXPECT_EQ(index->entries().at("a").first_seen, "d1");
}

TEST_F(CrashIndexTest, SaveAndLoad) {
  {
    auto index = CrashIndex::Load(dir_ / "index.json");
    ASSERT_TRUE(index.ok());
    index->Add(Sig("a"), "t", "tsan", Touch("crash-1"), "d1");
    index->Add(Sig("a"), "t", "tsan", Touch("crash-2"), "d2");
    ASSERT_TRUE(index->Save().ok());
  }
  auto loaded = CrashIndex::Load(dir_ / "index.json");
  ASSERT_TRUE(loaded.ok());
  ASSERT_EQ(loaded->entries().count("a"), 1u);
  EXPECT_EQ(loaded->entries().at("a").hits, 2);
  EXPECT_EQ(loaded->entries().at("a").signature.summary, "summary a");
}

TEST_F(CrashIndexTest, CorruptIndexIsAnErrorNotACrash) {
  std::ofstream(dir_ / "index.json") << "{\"crashes\": [1, 2";
  auto index = CrashIndex::Load(dir_ / "index.json");
  EXPECT_FALSE(index.ok());
  EXPECT_NE(std::string(index.status().message()).find("corrupt"), std::string::npos);
}

TEST_F(CrashIndexTest, KnownCrashesFile) {
  std::ofstream(dir_ / "known.txt")
      << "# comment\n\n48adf09f0901f514  # a race\n  0947196a5bebc291\n";
  const auto known = LoadKnownCrashes(dir_ / "known.txt");
  EXPECT_EQ(known.size(), 2u);
  EXPECT_TRUE(known.count("48adf09f0901f514"));
  EXPECT_TRUE(known.count("0947196a5bebc291"));
  EXPECT_TRUE(LoadKnownCrashes(dir_ / "missing.txt").empty());
}

}  // namespace
}  // namespace racefuzz::cli
