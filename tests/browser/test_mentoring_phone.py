"""A planning mentor on a 360 px phone (issue #18): the district's mentoring page with the
baseline-review table, and scoring a topic by tapping a level; nothing scrolls sideways and the
level choices are 44 px targets."""

import datetime

import pytest

from assessments.services import mentoring as services
from kernel.models import User
from tests.assessments.factories import (
    MentorAssignmentFactory,
    MentorFactory,
    MentoringActivityFactory,
    MentoringItemFactory,
    MentoringVisitFactory,
)

pytestmark = pytest.mark.browser


def test_a_mentor_reads_and_scores_on_a_phone(page, log_in, live_server, world):
    hsu = world["hsu"]["district"]
    mentor = MentorFactory(first_name="Dewi", last_name="Lestari")
    MentorAssignmentFactory(user=mentor, district=hsu)
    mentor = User.objects.get(pk=mentor.pk)
    baseline = services.capacity_create(
        district=hsu, stage="baseline", held_on=datetime.date(2026, 2, 10), by=mentor
    )
    review = services.capacity_create(
        district=hsu, stage="review", held_on=datetime.date(2026, 8, 12), by=mentor
    )
    for assessment, level in ((baseline, "4"), (review, "7")):
        assessment.refresh_from_db()
        services.capacity_scores_save(
            assessment=assessment,
            by=mentor,
            version=assessment.version,
            scores={s.pk: (level, "") for s in assessment.scores.all()[:6]},
        )
    MentoringActivityFactory(district=hsu, title="Pendampingan penyusunan analisis situasi Renja")
    MentoringVisitFactory(district=hsu, puskesmas=world["hsu"]["puskesmas"])
    MentoringItemFactory(district=hsu, due_on=datetime.date(2026, 1, 31))

    log_in(page, mentor)
    page.goto(f"{live_server.url}/assessments/mentoring/district/{hsu.pk}/")
    assert page.locator("[data-testid=capacity-move] tbody tr").count() == 11
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path="/tmp/mentoring-district-360.png", full_page=True)

    page.goto(f"{live_server.url}/assessments/mentoring/capacity/{review.pk}/edit/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    small = page.evaluate(
        """() => [...document.querySelectorAll('fieldset[data-item] label.border')]
            .filter(e => e.offsetParent !== null)
            .filter(e => e.getBoundingClientRect().height < 44).length"""
    )
    assert small == 0
    page.screenshot(path="/tmp/mentoring-capacity-edit-360.png")
    first = page.locator("fieldset[data-item='1.1'] label.border").nth(3)  # level 10
    first.click()
    with page.expect_navigation():
        page.locator("button.btn-success").last.click()
    score = review.scores.get(item__code="1.1")
    assert str(score.score) == "10.00"
