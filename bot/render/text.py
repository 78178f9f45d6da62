"""Views as terminal text: the console adapter's output."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.render.view import View


def plain(markdown: str) -> str:
    """Our Markdown as a terminal shows it: the bold marks dropped, the words kept."""
    return markdown.replace("**", "")


def render_text(view: View) -> str:
    out: list[str] = []
    if view.heading:
        out.append(view.heading)
    for section in view.sections:
        block: list[str] = []
        if section.title:
            block.append(section.title + (f"  <{section.url}>" if section.url else ""))
        block.extend(f"  {line}" for line in section.lines)
        block.extend(f"  {name}: {value}" for name, value in section.fields)
        meta = []
        if section.moment:
            local = section.moment.at.astimezone(ZoneInfo(section.moment.timezone))
            meta.append(f"{local:%Y-%m-%d %H:%M %Z}")
        if section.footer:
            meta.append(section.footer)
        if meta:
            block.append("  " + " · ".join(meta))
        out.append("\n".join(block))
    return plain("\n\n".join(out))
