"""Markdown renders to HTML that keeps no script, event handler or javascript: URL."""

from __future__ import annotations

import re

import pytest

from kaizen.markdown import render_markdown

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<img src=\"x\" onerror=\"alert('x')\" />",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<a href=\"javascript:alert(1)\">click</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">click</a>",
    "<a href=\"jav&#x09;ascript:alert(1)\">click</a>",
    "<a href=\"&#106;avascript:alert(1)\">click</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click]( javascript:alert(1) )",
    "![x](javascript:alert(1))",
    "[ref][1]\n\n[1]: javascript:alert(1)",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<p onmouseover=\"alert(1)\">hover</p>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=\"javascript:alert(1)\">",
    "<math><mtext></p><script>alert(1)</script>",
    "<form action=\"javascript:alert(1)\"><button>x</button></form>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<style>@import 'javascript:alert(1)';</style>",
    "<<script>script>alert(1)<</script>/script>",
    "<!--<script>alert(1)</script>-->",
    "`<script>` in code is fine, <b onclick=alert(1)>bold</b>",
]


@pytest.mark.embedded
@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_render_markdown_removes_scripts_handlers_and_javascript_urls(payload):
    html = str(render_markdown(f"Intro\n\n{payload}\n\nOutro"))
    lowered = html.lower()
    assert "<script" not in lowered
    assert "javascript:" not in lowered
    assert "vbscript:" not in lowered
    assert "data:text/html" not in lowered
    assert not re.search(r"<[^>]*\son[a-z]+\s*=", lowered)
    for tag in ("<iframe", "<object", "<embed", "<svg", "<form", "<meta", "<style", "<input"):
        assert tag not in lowered
    assert "<p>Intro</p>" in html


def test_render_markdown_keeps_formatting_links_and_tables():
    html = str(render_markdown(
        "# Title\n\n**bold** and [a link](https://example.com)\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    ))
    assert "<h1>Title</h1>" in html
    assert "<strong>bold</strong>" in html
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">a link</a>' in html
    assert "<table>" in html and "<td>1</td>" in html


def test_render_markdown_shows_code_as_text():
    html = str(render_markdown("`<script>alert(1)</script>`"))
    assert "<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>" in html
