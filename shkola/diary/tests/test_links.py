"""The family's diary links are reversed once per process and script prefix (issue 14)."""

from __future__ import annotations

from django.urls import get_script_prefix, reverse, set_script_prefix

from shkola.diary.views import DiaryLinks


def test_family_links_are_the_reversed_addresses_under_each_script_prefix():
    links = DiaryLinks(None)
    for name in sorted(DiaryLinks.names):
        assert links[name] == links[name] == reverse(f"diary:{name}")
    before = get_script_prefix()
    set_script_prefix("/shkola/")
    try:
        assert links["week"] == reverse("diary:week")
        assert links["week"].startswith("/shkola/")
    finally:
        set_script_prefix(before)
    assert links["week"] == reverse("diary:week") and not links["week"].startswith("/shkola/")


def test_a_staff_members_links_name_the_student():
    assert DiaryLinks(7)["report"] == reverse("diary:report_of", kwargs={"student_id": 7})
