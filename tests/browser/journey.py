"""What every step of the product document's journey checks in the browser: a screenshot, and no sideways scroll.

Screenshots go to var/screenshots/ (or $SCREENSHOT_DIR), one PNG per step, named after the step.
"""

import os
from pathlib import Path

from django.conf import settings

VIEWPORT = {"width": 1366, "height": 768}


def screenshot_dir() -> Path:
    """Where the journey's screenshots are written (created on first use)."""
    folder = Path(os.environ.get("SCREENSHOT_DIR") or Path(settings.BASE_DIR) / "var" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def step(page, name: str) -> Path:
    """Screenshot the page as the step leaves it, then check it does not scroll sideways (the shot shows why)."""
    path = screenshot_dir() / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert_no_horizontal_overflow(page)
    return path


def assert_no_horizontal_overflow(page) -> None:
    """The page fits the window's width: nothing of the main content hides off to the right."""
    widths = page.evaluate(
        """() => ({
            window: document.documentElement.clientWidth,
            page: document.documentElement.scrollWidth,
            content: (document.querySelector('#content') || document.body).scrollWidth,
            contentBox: (document.querySelector('#content') || document.body).clientWidth,
            // Admin lists scroll inside their own box (div.results): a column hidden there is hidden too.
            scrollers: [...document.querySelectorAll('#content .results, #content .tabular')]
                .filter((box) => box.scrollWidth > box.clientWidth + 1)
                .map((box) => `${box.className}: ${box.scrollWidth} > ${box.clientWidth}`),
        })"""
    )
    assert widths["page"] <= widths["window"], f"the page scrolls sideways: {widths}"
    assert widths["content"] <= widths["contentBox"], f"the main content overflows: {widths}"
    assert not widths["scrollers"], f"a table scrolls sideways: {widths['scrollers']}"
