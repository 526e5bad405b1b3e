"""An agreement document as HTML: its prose, and each terms block as a card that clause anchors
point at. Raw HTML in a document is shown as text, never run."""

from __future__ import annotations

from html import escape

from markdown_it import MarkdownIt

from ..api import Version


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False})
    md.add_render_rule("fence", _fence)
    return md


def _fence(self, tokens, idx, options, env):
    token = tokens[idx]
    if token.info.strip() != "terms":
        return f'<pre><code>{escape(token.content)}</code></pre>\n'
    clause_id, kind = token.meta.get("clause", ""), token.meta.get("kind", "")
    line = token.meta.get("line", "")
    # the heading carries the clause's anchor; a block without a heading of its own carries it
    anchor = clause_id if token.meta.get("anchor") else f"terms-{clause_id}"
    return (f'<div class="terms" id="{escape(anchor, quote=True)}" '
            f'data-clause="{escape(clause_id, quote=True)}">'
            f'<div class="terms-head"><a href="#{escape(clause_id, quote=True)}">'
            f'{escape(clause_id)}</a> <span class="kind kind-{escape(kind, quote=True)}">'
            f'{escape(kind)}</span> <span class="at">line {line}</span></div>'
            f'<pre><code>{escape(token.content)}</code></pre></div>\n')


MD = _markdown()


def body_of(text: str) -> tuple[str, int]:
    """The document after its front matter, and the line number the body starts on."""
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and lines[0].strip() == "---":
        for index in range(1, len(lines)):
            if lines[index].strip() in ("---", "..."):
                return "\n".join(lines[index + 1:]), index + 2
    return text, 1


def document_html(text: str, version: Version) -> str:
    """HTML of a version's document; each clause's heading gets the clause id as its anchor."""
    body, first_line = body_of(text)
    tokens = MD.parse(body)
    clauses = iter(version.clauses)
    heading = None
    for token in tokens:
        if token.type == "heading_open":
            heading = token
        elif token.type == "fence" and token.info.strip() == "terms":
            clause = next(clauses, None)
            if clause is None:
                continue
            token.meta = {"clause": clause.id, "kind": clause.kind,
                          "line": clause.span.line if clause.span
                          else first_line + token.map[0]}
            if heading is not None and heading.attrGet("id") is None:
                heading.attrSet("id", clause.id)
                heading.attrSet("class", "clause-heading")
            else:
                token.meta["anchor"] = True
            heading = None
    html = MD.renderer.render(tokens, MD.options, {})
    return html
