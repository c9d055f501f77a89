from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from parskats.accounts.models import User
from parskats.core.freetext import NameField

from .articles import parse_tags, unique_slug
from .models import Article, ArticleImage, NewsSettings

MAX_IMAGE_BYTES = 8 * 1024 * 1024


# The mixin goes on Django forms; the type checker is told so, so that super() calls resolve.
if TYPE_CHECKING:
    _FormBase = forms.BaseForm
else:
    _FormBase = object


class DescribedMixin(_FormBase):
    """Ties each input to its help text and error message (aria-describedby, aria-invalid),
    matching the ids that news/_field.html gives them."""

    def _describe(self) -> None:
        form: Any = self
        for name, field in form.fields.items():
            ids = []
            if field.help_text:
                ids.append(f"{form[name].id_for_label}-help")
            if form._errors and name in form._errors:
                ids.append(f"{form[name].id_for_label}-error")
                field.widget.attrs["aria-invalid"] = "true"
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._describe()

    def full_clean(self) -> None:
        super().full_clean()
        self._describe()


class ArticleForm(DescribedMixin, forms.ModelForm[Article]):
    tags_text = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=500,
        help_text=_("Separated by commas, e.g. seminārs, 2020. gads, Valkas novads."),
    )

    class Meta:
        model = Article
        fields = [
            "region",
            "title",
            "slug",
            "lead",
            "body",
            "signature",
            "language",
            "status",
            "publish_at",
            "comments_open",
        ]
        widgets = {
            "lead": forms.Textarea(attrs={"rows": 3}),
            "body": forms.Textarea(attrs={"rows": 18}),
            "signature": forms.Textarea(attrs={"rows": 3}),
            "publish_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }
        help_texts = {
            "body": _("Markdown: **bold**, *italic*, [link](https://…), ## heading, - list. HTML is shown as text."),
            "publish_at": _("Empty with “published”: now. A scheduled article appears by itself at this time."),
        }

    def __init__(self, *args: Any, regions: Any = None, whole: bool = True, **kwargs: Any) -> None:
        """`regions`: the regions this editor may give the article to; `whole`: she may also leave it
        the whole network's, else a region is required."""
        super().__init__(*args, **kwargs)
        region_field = self.fields["region"]
        assert isinstance(region_field, forms.ModelChoiceField)
        if regions is None or not regions.exists():
            del self.fields["region"]  # a network without regions: all its news is the whole network's
        else:
            region_field.queryset = regions
            if whole:
                region_field.help_text = _("Empty: the whole network's news.")
            else:
                region_field.required = True
                region_field.empty_label = None
        self.fields["slug"].required = False
        if self.instance.pk:
            self.fields["tags_text"].initial = ", ".join(t.name for t in self.instance.tags.all())

    def clean_slug(self) -> str:
        """An empty address is made from the title; a typed one is reduced to Latin letters and hyphens."""
        typed = slugify(self.cleaned_data.get("slug") or "")
        if typed:
            return typed
        return unique_slug(self.cleaned_data.get("title") or "", exclude_pk=self.instance.pk)

    def clean_tags_text(self) -> list[str]:
        names = parse_tags(self.cleaned_data.get("tags_text", ""))
        too_long = [n for n in names if len(n) > 60]
        if too_long:
            raise forms.ValidationError(_("A tag may be at most 60 characters long: %(tag)s") % {"tag": too_long[0]})
        return names

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        status, publish_at = data.get("status"), data.get("publish_at")
        if status == Article.Status.PUBLISHED and publish_at is None:
            data["publish_at"] = timezone.now()
        if status == Article.Status.SCHEDULED:
            if publish_at is None:
                self.add_error("publish_at", _("A scheduled article needs a publication time."))
            elif publish_at <= timezone.now():
                self.add_error("publish_at", _("The time of a scheduled article must be in the future."))
        return data


class ImageForm(DescribedMixin, forms.ModelForm[ArticleImage]):
    class Meta:
        model = ArticleImage
        fields = ["image", "alt_text", "caption"]
        error_messages = {"alt_text": {"required": _("Describe the image for readers who cannot see it.")}}

    def clean_image(self) -> Any:
        image = self.cleaned_data["image"]
        if image and image.size > MAX_IMAGE_BYTES:
            raise forms.ValidationError(_("The image is larger than 8 MB."))
        return image

    def clean_alt_text(self) -> str:
        text = " ".join(self.cleaned_data.get("alt_text", "").split())
        if not text:
            raise forms.ValidationError(_("Describe the image for readers who cannot see it."))
        return text


class CommentForm(DescribedMixin, forms.Form):
    name = NameField(label=pgettext_lazy("commenter", "Name"), max_length=80)
    text = forms.CharField(label=pgettext_lazy("comment text", "Comment"), widget=forms.Textarea(attrs={"rows": 5}))
    # The honeypot: hidden from people (and screen readers); bots fill in every field.
    website = forms.CharField(label=_("Leave this field empty"), required=False)
    issued = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, max_length: int = 5000, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_length = max_length
        self.fields["text"].widget.attrs["maxlength"] = max_length
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Write your name."))
        return name

    def clean_text(self) -> str:
        text: str = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError(_("Write a comment."))
        if len(text) > self.max_length:
            raise forms.ValidationError(
                _("The comment is %(length)d characters long; at most %(max)d are allowed.")
                % {"length": len(text), "max": self.max_length}
            )
        return text


class EditorForm(DescribedMixin, forms.Form):
    email = forms.EmailField(label=_("Email of the person"))

    def clean_email(self) -> User:
        email = self.cleaned_data["email"].strip().lower()
        person = User.objects.filter(email__iexact=email, is_active=True).first()
        if person is None:
            raise forms.ValidationError(_("No one with this email has an account."))
        return person


class NewsSettingsForm(DescribedMixin, forms.ModelForm[NewsSettings]):
    class Meta:
        model = NewsSettings
        fields = ["moderation", "min_fill_seconds", "per_address_per_hour", "per_article_per_hour", "max_links"]
        widgets = {"moderation": forms.RadioSelect}
