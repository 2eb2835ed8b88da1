// Conformance suite (issue 4): the recorder charm appends one line per hook or action it runs,
// and each scenario compares a unit's recorded hook sequence with juju-semantics §1.3. The same
// scenarios run for three charm flavours: the shell recorder, and recorder-ops (the same charm
// written with the Python ops framework) on the newest ops 2.x and the newest ops 3.x, against
// the same expectation tables. The ops flavours are skipped, with a message, only when their ops
// install is missing (tools/test installs both).
//
// One controller per flavour (one ctest per flavour, see CMakeLists.txt); every scenario deploys
// its own applications and writes its own log, so scenarios do not see each other's hooks.

#include "tests/conformance/conformance_fixture.h"

namespace skein::conformance {

INSTANTIATE_TEST_SUITE_P(Flavours, ConformanceTest, ::testing::Values("shell", "ops2", "ops3", "builtin"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace skein::conformance
