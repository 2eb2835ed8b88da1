#!/usr/bin/env python3
"""Tests of tools/check-includes on small trees written to a temp dir: the allowed directions pass,
and each kind of include against DESIGN §3 fails with the file, the line and the rule."""

import os
import subprocess
import sys
import tempfile
import unittest

CHECKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "check-includes")


def write_tree(root, files):
    for path, text in files.items():
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as f:
            f.write(text)


# A tree that follows the order: every layer includes itself and the ones below it, and the
# includes that are not skein's (quoted absl, angle-bracket std) are left alone.
ALLOWED = {
    "proto/skein/v1/common.proto": 'syntax = "proto3";\n',
    "lib/base/names.h": '#pragma once\n#include <string>\n#include "absl/strings/str_cat.h"\n',
    "lib/rpc/auth.h": '#pragma once\n#include "skein/v1/common.pb.h"\n#include "lib/base/names.h"\n',
    "relations/bag.h": '#pragma once\n#include "lib/base/names.h"\n',
    "bundles/plan.h": '#pragma once\n#include "relations/bag.h"\n#include "lib/rpc/auth.h"\n',
    "controller/api/server.cc": '#include "controller/api/server.h"\n#include "bundles/plan.h"\n',
    "controller/api/server.h": '#pragma once\n#include "skein/v1/common.pb.h"\n',
    "agents/unit/uniter.cc": '#include "uniter.h"\n#include "relations/bag.h"\n',
    "agents/unit/uniter.h": '#pragma once\n',
    "tools/cli/main.cc": '#include "bundles/plan.h"\n',
    "tests/controller/api_test.cc": '#include "controller/api/server.h"\n#include "agents/unit/uniter.h"\n'
                                    '#include "tests/scoped_env.h"\n',
    "tests/scoped_env.h": '#pragma once\n',
}


class CheckIncludesTest(unittest.TestCase):
    def run_checker(self, extra_files):
        with tempfile.TemporaryDirectory(prefix="check-includes-") as root:
            write_tree(root, {**ALLOWED, **extra_files})
            done = subprocess.run([sys.executable, CHECKER, root], capture_output=True, text=True, timeout=60)
            return done.returncode, done.stdout, done.stderr

    def assert_violation(self, files, expected_line):
        code, out, err = self.run_checker(files)
        self.assertEqual(code, 1, f"expected a failure; stdout:\n{out}\nstderr:\n{err}")
        self.assertIn(expected_line, out.splitlines())
        self.assertIn("1 include(s) against the dependency order", err)

    def test_a_tree_in_dependency_order_passes(self):
        code, out, err = self.run_checker({})
        self.assertEqual((code, out), (0, ""), err)

    def test_lib_including_the_controller_fails_naming_file_line_and_rule(self):
        self.assert_violation(
            {"lib/base/clock.cc": '#include "lib/base/names.h"\n\n#include "controller/api/server.h"\n'},
            'lib/base/clock.cc:3: #include "controller/api/server.h": lib may not include controller, which is '
            'above it in DESIGN §3 (proto <- lib <- relations, bundles <- controller, agents, tools)')

    def test_agents_including_the_controller_fails(self):
        self.assert_violation(
            {"agents/unit/watcher.cc": '#include "controller/api/server.h"\n'},
            'agents/unit/watcher.cc:1: #include "controller/api/server.h": agents may not include controller: '
            'controller, agents and tools never include one another, they meet only in proto/ (DESIGN §3)')

    def test_controller_including_agents_through_a_relative_path_fails(self):
        self.assert_violation(
            {"controller/api/hub.cc": '  #  include "../../agents/unit/uniter.h"\n'},
            'controller/api/hub.cc:1: #include "../../agents/unit/uniter.h": controller may not include agents: '
            'controller, agents and tools never include one another, they meet only in proto/ (DESIGN §3)')

    def test_tools_including_agents_fails(self):
        self.assert_violation(
            {"tools/cli/local_files.cc": '#include <agents/unit/uniter.h>\n'},
            'tools/cli/local_files.cc:1: #include "agents/unit/uniter.h": tools may not include agents: '
            'controller, agents and tools never include one another, they meet only in proto/ (DESIGN §3)')

    def test_relations_including_bundles_fails(self):
        self.assert_violation(
            {"relations/state.h": '#pragma once\n#include "bundles/plan.h"\n'},
            'relations/state.h:2: #include "bundles/plan.h": relations may not include bundles: bundles builds '
            "on relations' endpoint inference, so the direction is relations <- bundles (DESIGN §3)")

    def test_proto_headers_are_below_lib_and_lib_is_below_relations(self):
        self.assert_violation(
            {"lib/charm/metadata.h": '#include "relations/bag.h"\n'},
            'lib/charm/metadata.h:1: #include "relations/bag.h": lib may not include relations, which is above '
            'it in DESIGN §3 (proto <- lib <- relations, bundles <- controller, agents, tools)')

    def test_a_library_including_a_test_helper_fails(self):
        self.assert_violation(
            {"agents/unit/env.cc": '#include "tests/scoped_env.h"\n'},
            'agents/unit/env.cc:1: #include "tests/scoped_env.h": only tests/ includes tests/ (test helpers '
            'never ship in a library or binary)')

    def test_every_violation_is_reported(self):
        code, out, _ = self.run_checker({
            "lib/base/a.cc": '#include "tools/cli/x.h"\n',
            "controller/b.cc": '#include "agents/unit/uniter.h"\n#include "tools/cli/y.h"\n',
        })
        self.assertEqual(code, 1)
        self.assertEqual([line.split(":", 2)[:2] for line in out.splitlines()],
                         [["controller/b.cc", "1"], ["controller/b.cc", "2"], ["lib/base/a.cc", "1"]])


if __name__ == "__main__":
    unittest.main()
