"""nperf-mesh(1) names every option of the command line, and only those."""
import os
import re
import unittest

import _paths  # noqa: F401 (puts tools/ on sys.path)
from nperf_mesh.cli import parser

MAN_PAGE = os.path.join(_paths.REPO, "docs", "nperf-mesh.1")


class ManPageTest(unittest.TestCase):
    def test_the_man_page_has_every_option_and_no_other(self):
        with open(MAN_PAGE, encoding="utf-8") as f:
            page = f.read().replace("\\-", "-")
        options_section = page.split(".SH OPTIONS", 1)[1].split(".SH ", 1)[0]
        # each option is the first word after a .TP; ".BR -k ", " --concurrency" names two
        documented = set(re.findall(r"^\.TP\n\.B[IR]? (-[-a-z]+|-[a-zA-Z])\b", options_section, re.M))
        documented |= set(re.findall(r'^\.TP\n\.BR -[a-zA-Z] ", " (--[-a-z]+)', options_section, re.M))
        actual = {s for action in parser()._actions for s in action.option_strings}
        self.assertEqual(sorted(actual), sorted(documented))


if __name__ == "__main__":
    unittest.main()
