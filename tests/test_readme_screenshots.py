"""The README's Screenshots section names exactly the screenshots the browser journey writes."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_readme_describes_every_screenshot_the_browser_tests_write_and_no_other():
    written = set()
    for test_file in (ROOT / "tests" / "browser").glob("test_*.py"):
        written |= set(re.findall(r'step\(page, "([\w-]+)"\)', test_file.read_text()))
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Screenshots", 1)[1].split("\n## ", 1)[0]

    assert "var/screenshots/" in section
    assert written, "the browser tests write screenshots"
    assert set(re.findall(r"`([\w-]+)\.png`", section)) == written
