"""Bodies stored as plain text or Markdown (no HTML tag at all) become HTML paragraphs.

The staff form used to render Markdown, the admin stored what was typed: a body without any tag
showed as one run-on paragraph. Markdown syntax is kept as the literal text the author typed
(``#巾帼心向党#`` is a topic, not a heading). Reversing keeps the HTML: the older code shows it
as well, and a converted body cannot be told from one written as paragraphs.
"""

import html
import re

from django.db import migrations

TAG = re.compile(r"<[a-zA-Z/!][^>]*>")
BLANK_LINES = re.compile(r"\n\s*\n")


def text_to_html(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    paragraphs = [p.strip() for p in BLANK_LINES.split(text) if p.strip()]
    return "".join(
        "<p>" + "<br>".join(html.escape(line.strip(), quote=False) for line in p.split("\n")) + "</p>"
        for p in paragraphs
    )


def forwards(apps, schema_editor):
    Article = apps.get_model("activities", "Article")
    for article in Article.objects.only("pk", "body").iterator():
        if article.body.strip() and not TAG.search(article.body):
            # A plain update: no history row, no version bump (the content did not change).
            Article.objects.filter(pk=article.pk).update(body=text_to_html(html.unescape(article.body)))


class Migration(migrations.Migration):
    dependencies = [("activities", "0008_exemplar_pinyin_and_join_online")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
