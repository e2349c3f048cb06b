"""The article body widget: a textarea that static/js/article-editor.js turns into the editor.

Without JavaScript it stays a plain textarea of HTML, which the server sanitises all the same.
"""

from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _


def toolbar_labels() -> dict[str, str]:
    return {
        "toolbar": _("正文排版"),
        "body": _("正文"),
        "paragraph": _("正文段落"),
        "heading": _("小标题"),
        "bold": _("加粗"),
        "highlight": _("重点标色"),
        "quote": _("引用"),
        "bullets": _("项目列表"),
        "numbers": _("编号列表"),
        "link": _("链接"),
        "link_prompt": _("链接地址（留空则去掉链接）："),
        "image": _("插入照片"),
        "image_none": _("本文还没有照片：先在下方“添加照片”上传并保存，再插入正文。"),
        "foreign_image": _(
            "外站图片（如公众号图片）：公众页面不会显示，请下载后作为照片上传，再插入这里。"
        ),
        "media_url": settings.MEDIA_URL,
        "upload_failed": _("照片上传失败，请检查网络后重试。"),
        "upload_first": _("新文章请先保存草稿，再把照片拖进正文。"),
        "divider": _("分隔线"),
        "undo": _("撤销"),
        "redo": _("重做"),
    }


class ArticleBodyWidget(forms.Textarea):
    def __init__(self, attrs=None):
        super().__init__({"rows": 12, **(attrs or {})})
        #: The article's photos the 插入照片 button offers: [{"id", "src", "caption"}].
        self.photos: list[dict] = []
        #: Where a photo file dropped or pasted into the text is uploaded ("" : nowhere).
        self.upload_url = ""

    class Media:
        css = {"all": ["css/article-editor.css"]}
        js = [forms.Script("js/article-editor.js", type="module")]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        # Labels are resolved per request, in the user's language.
        context["widget"]["attrs"]["data-article-editor"] = json.dumps(
            toolbar_labels(), ensure_ascii=False
        )
        context["widget"]["attrs"]["data-article-photos"] = json.dumps(
            self.photos, ensure_ascii=False
        )
        if self.upload_url:
            context["widget"]["attrs"]["data-article-upload"] = self.upload_url
        return context
