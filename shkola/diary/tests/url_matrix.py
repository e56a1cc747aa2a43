from shkola.core.testing.matrix import Case, expect

PAGES = [
    "week",
    "report",
    "report_xlsx",
    "extra",
    "homework",
    "finals",
    "missed",
    "tests",
    "timetable",
    "averages",
    "events",
    "remarks",
]

# The family's own pages follow ``active_student``; staff have no diary of their own.
OWN = expect(
    404, anonymous=302, student=200, parent=200, parent_two_schools=200, teacher_parent=200
)
# One student's diary by id: the family is sent to the first form (302); the class teacher and
# the school's administration read it; a subject teacher and officials get a 404.
BY_ID = expect(404, anonymous=302, student=302, parent=302, classteacher=200, curator=200)
# A classmate from another family: only the class teacher and the administration.
OTHER_FAMILY = expect(404, anonymous=302, classteacher=200, curator=200)
# A student of another school: nobody here.
OTHER_SCHOOL = expect(404, anonymous=302)
# Children of the accounts linked to two schools: their parent (sent to the first form, like
# any family) and, for the demo school's child, its administration; the other school's
# child is nothing to the demo school's staff, the teacher-parent's colleagues included.
CROSS_CHILD = expect(404, anonymous=302, parent_two_schools=302, curator=200)
CROSS_OTHER_CHILD = expect(404, anonymous=302, parent_two_schools=302)
TEACHER_PARENT_CHILD = expect(404, anonymous=302, teacher_parent=302)

CASES = (
    [Case(f"diary:{name}", OWN) for name in PAGES]
    + [
        Case(f"diary:{name}_of", BY_ID, kwargs=lambda w: {"student_id": w.student.id})
        for name in PAGES
    ]
    + [
        Case(
            f"diary:{name}_of",
            OTHER_FAMILY,
            kwargs=lambda w: {"student_id": w.other_family_student.id},
            label="another family's child",
        )
        for name in PAGES
    ]
    + [
        Case(
            f"diary:{name}_of",
            OTHER_SCHOOL,
            kwargs=lambda w: {"student_id": w.other_student.id},
            label="another school's student",
        )
        for name in PAGES
    ]
    + [
        Case(
            f"diary:{name}_of",
            expectation,
            kwargs=kwargs,
            label=label,
        )
        for name in PAGES
        for expectation, kwargs, label in (
            (CROSS_CHILD, lambda w: {"student_id": w.cross_child.id}, "two-school family, here"),
            (
                CROSS_OTHER_CHILD,
                lambda w: {"student_id": w.cross_other_child.id},
                "two-school family, other school",
            ),
            (
                TEACHER_PARENT_CHILD,
                lambda w: {"student_id": w.teacher_parent_child.id},
                "teacher-parent's child",
            ),
        )
    ]
    + [
        Case(
            "diary:homework_file",
            expect(404, anonymous=302),
            kwargs=lambda w: {"file_id": 999_999_999},
            label="no such file",
        ),
    ]
)
