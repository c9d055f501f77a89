from django.contrib import admin

from .models import CheckRule, Indicator, NarrativeSection, Section, Survey


class SectionInline(admin.TabularInline[Section, Survey]):
    model = Section
    extra = 0


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin[Survey]):
    list_display = ["code", "name_lv", "name_en"]
    inlines = [SectionInline]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin[Indicator]):
    list_display = ["code", "name_lv", "name_en", "section", "unit", "aggregation", "first_year", "last_year"]
    list_filter = ["survey", "section", "aggregation", "unit"]
    search_fields = ["code", "name_lv", "name_en"]
    raw_id_fields = ["parent"]


@admin.register(NarrativeSection)
class NarrativeSectionAdmin(admin.ModelAdmin[NarrativeSection]):
    list_display = ["code", "title_lv", "survey", "max_words", "first_year", "last_year"]
    list_filter = ["survey"]


@admin.register(CheckRule)
class CheckRuleAdmin(admin.ModelAdmin[CheckRule]):
    list_display = ["code", "severity", "survey", "expression", "first_year", "last_year"]
    list_filter = ["survey", "severity"]
