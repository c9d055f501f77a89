"""The one way a value enters a report: from the form, the spreadsheet upload or any later channel.

save_value parses what the person typed (Latvian numbers, "not applicable", "unknown"), refuses a
save based on an out-of-date version of the field (two people never silently overwrite each
other), writes the value and its audit record in one transaction, and bumps the report's version.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parskats.accounts.access import AnyUser
from parskats.accounts.models import User
from parskats.audit.models import record
from parskats.catalogue.expressions import Missing
from parskats.catalogue.formparts import IndicatorInfo, expand
from parskats.catalogue.models import CheckRule, Indicator, unit_named
from parskats.core.numbers import NumberParseError, format_number, parse_number

from .checks import compiled_check, parent_code
from .figures import Figure
from .models import Report, Value
from .number_errors import not_a_number, not_whole

EDITABLE = (Report.Status.DRAFT, Report.Status.RETURNED)
NOT_APPLICABLE_WORDS = {"na", "n/a", "nav attiecināms", "neattiecas", "not applicable"}
UNKNOWN_WORDS = {"unknown", "nav zināms", "nezināms", "?"}
MAX_ABS = Decimal(10) ** 15


class EntryError(ValueError):
    """The input cannot be saved; the message (in the active language) says why and what to do."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class VersionConflict(EntryError):
    """Someone else saved the field since this person loaded it: both values are kept for display."""

    def __init__(self, field: str, mine: str, current: Value | None) -> None:
        self.mine = mine
        self.current = current
        theirs = display(current) if current else _("empty")
        who = (current.updated_by.get_full_name() or current.updated_by.email) if current and current.updated_by else ""
        message = _("Someone else changed this field meanwhile: it now holds %(theirs)s, you entered %(mine)s.") % {
            "theirs": theirs,
            "mine": mine or _("empty"),
        }
        if who:
            message += " " + _("Changed by %(who)s.") % {"who": who}
        super().__init__(message, field)


@dataclass(frozen=True)
class Parsed:
    code: str
    number: Decimal | None


def display(value: Value | Figure | None) -> str:
    """A value as a person reads it: 12 345,5, “not applicable”, “unknown” or empty."""
    if value is None:
        return ""
    if value.code == Value.Code.NOT_APPLICABLE:
        return _("not applicable")
    if value.code == Value.Code.UNKNOWN:
        return _("unknown")
    return format_number(value.number)


def audit_form(code: str, number: Decimal | None) -> str | None:
    """The value as the audit trail stores it (plain text, locale-free)."""
    if code == Value.Code.NUMBER and number is not None:
        return format(number.normalize(), "f")
    return code


def parse_raw(indicator: Indicator, raw: object) -> Parsed | None:
    """What a person typed or a spreadsheet held → a value; None for empty (clear the field)."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise EntryError(_("A yes/no value is not a number."), indicator.code)
    if isinstance(raw, int | Decimal):
        number = Decimal(raw)
    elif isinstance(raw, float):
        number = Decimal(repr(raw))
    else:
        text = str(raw).strip()
        if not text:
            return None
        lowered = text.lower()
        if lowered in NOT_APPLICABLE_WORDS:
            return Parsed(Value.Code.NOT_APPLICABLE, None)
        if lowered in UNKNOWN_WORDS:
            return Parsed(Value.Code.UNKNOWN, None)
        try:
            number = parse_number(text)
        except NumberParseError:
            raise EntryError(not_a_number(text), indicator.code) from None
    if not number.is_finite() or abs(number) >= MAX_ABS:
        raise EntryError(_("The number is too large."), indicator.code)
    exponent = number.normalize().as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if indicator.value_type == Indicator.ValueType.INTEGER and decimals:
        raise EntryError(not_whole(str(raw).strip(), number), indicator.code)
    if decimals > 2 and _is_money(indicator):
        # Cents are the smallest amount a library's accounts hold; a third decimal is a typo or a
        # pasted calculation, and would show as such on every page.
        cents = number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        raise EntryError(
            _("An amount of money has at most two decimal places: %(rounded)s.")
            % {"rounded": format_number(cents, decimals=2)},
            indicator.code,
        )
    if decimals > 3:
        raise EntryError(_("At most three decimal places."), indicator.code)
    return Parsed(Value.Code.NUMBER, number)


def _is_money(indicator: Indicator) -> bool:
    unit = unit_named(indicator.unit)
    return bool(unit and unit.currency)


class _OneValue:
    """What an at-entry check sees: the one value being entered, nothing else."""

    def __init__(self, code: str, number: Decimal) -> None:
        self.code, self.number = code, number

    def value(self, name: str) -> Decimal:
        if name != self.code:
            raise Missing(name)
        return self.number

    def previous(self, name: str) -> Decimal:
        raise Missing(name)

    def peer_median(self, name: str) -> Decimal:
        raise Missing(name)

    def peer_fence(self, name: str, high: bool) -> Decimal:
        raise Missing(name)

    def present(self, name: str) -> bool:
        return name == self.code


def entry_rules(report: Report) -> list[CheckRule]:
    """The checks of this report's form that refuse a value as it is entered (at_entry in the
    survey's checks file, e.g. "not negative"), read once per report object."""
    cached: list[CheckRule] | None = getattr(report, "_entry_rules", None)
    if cached is None:
        year, kind = report.period.year, report.unit.library_type
        rules = CheckRule.objects.filter(survey_id=report.period.survey_id, at_entry=True)
        cached = [rule for rule in rules if rule.on_form(year, kind)]
        report._entry_rules = cached  # type: ignore[attr-defined]
    return cached


def refuse_at_entry(indicator: Indicator, parsed: Parsed | None, rules: list[CheckRule]) -> None:
    """Raise EntryError with the rule's message when the value fails an at-entry check."""
    if parsed is None or parsed.number is None:
        return
    info = {indicator.code: IndicatorInfo(indicator.code, parent_code(indicator))}
    env = _OneValue(indicator.code, parsed.number)
    for rule in rules:
        for field, text in expand(rule.fields, rule.expression, info):
            if field != indicator.code:
                continue
            expression = compiled_check(text)
            try:
                holds = expression is not None and expression.evaluate(env)
            except Missing:
                continue
            if not holds:
                raise EntryError(rule.message, indicator.code)


def field_indicator(report: Report, indicator_code: str) -> Indicator:
    """An indicator on this report's form, or EntryError."""
    indicator = Indicator.objects.filter(survey_id=report.period.survey_id, code=indicator_code).first()
    if indicator is None or not indicator.on_form(report.period.year, report.unit.library_type):
        raise EntryError(_("There is no field %(code)s on this form.") % {"code": indicator_code[:64]}, indicator_code)
    return indicator


def ensure_editable(report: Report) -> None:
    if report.status not in EDITABLE:
        raise EntryError(
            _("The report is %(status)s and cannot be changed; ask the methodologist to return it.")
            % {"status": report.get_status_display()}
        )


def save_value(
    user: AnyUser,
    report: Report,
    indicator_code: str,
    raw: object,
    base_version: int | None,
    channel: str = "form",
    indicator: Indicator | None = None,
) -> Value | None:
    """Save one field. base_version is the field's version the person saw (0: it was empty);
    None skips the version check (a whole spreadsheet applied on purpose). Returns the value, or
    None when the field is now empty. Raises EntryError or VersionConflict; nothing is half-saved."""
    indicator = indicator or field_indicator(report, indicator_code)
    parsed = parse_raw(indicator, raw)
    refuse_at_entry(indicator, parsed, entry_rules(report))
    editor = user if isinstance(user, User) else None
    try:
        with transaction.atomic():
            locked = Report.objects.select_for_update().get(pk=report.pk)
            ensure_editable(locked)
            current = (
                Value.objects.select_for_update(of=("self",))
                .select_related("updated_by")
                .filter(report=report, indicator=indicator)
                .first()
            )
            current_version = current.version if current else 0
            old = audit_form(current.code, current.number) if current else None
            new = audit_form(parsed.code, parsed.number) if parsed else None
            if old == new:  # nothing to change, even from an out-of-date form
                return current
            if base_version is not None and base_version != current_version:
                raise VersionConflict(indicator.code, str(raw if raw is not None else "").strip(), current)
            # Versions come from the report's counter, so a field emptied and filled again never
            # repeats a version an open form may still hold.
            version = locked.version + 1
            if parsed is None:
                assert current is not None
                current.delete()
                result = None
            elif current is None:
                result = Value.objects.create(
                    report=report,
                    indicator=indicator,
                    code=parsed.code,
                    number=parsed.number,
                    updated_by=editor,
                    version=version,
                )
            else:
                current.code, current.number, current.updated_by = parsed.code, parsed.number, editor
                current.flag = Value.Flag.REPORTED
                current.version = version
                current.save()
                result = current
            Report.objects.filter(pk=report.pk).update(version=version, updated_at=timezone.now())
            report.version = version
            record(
                actor=user,
                channel=channel,
                action="value",
                network=report.period.network,
                report=report,
                target=indicator.code,
                old=old,
                new=new,
            )
            return result
    except IntegrityError:
        # Two first saves of an empty field at once: the loser sees the winner's value.
        current = Value.objects.filter(report=report, indicator=indicator).select_related("updated_by").first()
        raise VersionConflict(indicator.code, str(raw or "").strip(), current) from None
