"""get_FOO_display() of models with ChoiceLabels: the same labels as Django's, in the active language."""

from __future__ import annotations

from django.utils import translation

from diaodu.plans.models import Actual, ActualStatus, Comparator, Level, Target


def test_labels_follow_the_active_language_and_unknown_values_show_as_they_are() -> None:
    target = Target(comparator=Comparator.GE, level=Level.COMMITTED)
    with translation.override("zh-hans"):
        assert target.get_comparator_display() == str(Comparator.GE.label)
        assert target.get_level_display() == "确保"
    with translation.override("en"):
        assert target.get_level_display() == str(Level.COMMITTED.label) != "确保"
        assert target.get_level_display() == "Committed"
    assert Actual(status=ActualStatus.APPROVED).get_status_display() == str(ActualStatus.APPROVED.label)
    assert Target(comparator="zz").get_comparator_display() == "zz"
