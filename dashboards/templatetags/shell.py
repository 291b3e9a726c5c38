from django import template
from django.template.loader_tags import BLOCK_CONTEXT_KEY
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def page_title(context):
    """The page's {% block title %} once more, for the phone's top bar (a block may be used only
    once in a template): the most specific override of the block, rendered in this context."""
    blocks = context.render_context.get(BLOCK_CONTEXT_KEY)
    block = blocks.get_block("title") if blocks is not None else None
    if block is None:
        return ""
    with context.push(block=block):
        # Rendered by the template engine, escaped already.
        return mark_safe(block.nodelist.render(context).strip())  # noqa: S308
