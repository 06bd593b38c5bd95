"""The weekly gap digest as plain text, for a terminal (`assistant gaps digest --dry-run`)."""

from __future__ import annotations

from assistant.insights.digest import DigestResolution, DigestTheme, WeeklyDigest


def render_digest_text(digest: WeeklyDigest) -> str:
    """The digest's sections as lines of text, each theme with its report link when it has one."""
    lines = [f"Knowledge gaps, {digest.week_start:%Y-%m-%d} to {digest.week_end:%Y-%m-%d}",
             f"{digest.gaps} gaps from {digest.askers} people this week.", ""]
    lines.append("Top themes by friction:")
    lines += [f"  {rank}. {_theme(theme)}; friction {theme.friction:g}"
              + (f"; {theme.dimension}" if theme.dimension else "")
              + (f"; teams: {', '.join(f'{name} {count}' for name, count in theme.teams)}" if theme.teams else "")
              for rank, theme in enumerate(digest.top_themes, 1)] or ["  none"]
    lines += ["", "New this week:"]
    lines += [f"  - {_theme(theme)}" for theme in digest.new_themes] or ["  none"]
    if digest.new_themes_total > len(digest.new_themes):
        lines.append(f"  ...and {digest.new_themes_total - len(digest.new_themes)} more")
    lines += ["", "Resolved this week:"]
    lines += [f"  - {_resolution(item)}" for item in digest.resolved] or ["  none"]
    listed = sum(item.resolved for item in digest.resolved)
    if digest.resolved_total > listed:
        lines.append(f"  ...and {digest.resolved_total - listed} more gaps")
    lines += ["", f"Teams with fewer than {digest.min_group_size} people asking are shown as \"other\"."]
    return "\n".join(lines) + "\n"


def _theme(theme: DigestTheme) -> str:
    text = f"{theme.label} ({theme.gaps} gaps, {theme.open} open, {theme.askers} people)"
    return f"{text} <{theme.link}>" if theme.link else text


def _resolution(item: DigestResolution) -> str:
    pages = ", ".join(f"{page.title} ({page.path})" if page.title else page.path for page in item.pages)
    text = f"{item.label}: {item.resolved} gaps resolved by {pages or 'a person'}"
    return f"{text} <{item.link}>" if item.link else text
