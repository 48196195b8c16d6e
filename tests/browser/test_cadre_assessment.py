"""A puskesmas head assesses a cadre's basic skills on a 360 px phone at a posyandu session
(issue #17, must-have 6): the skills in five folding groups, a big two-choice control per
skill, one save for all marked skills, then the new level and badges; nothing wider than the
screen, every control a 44 px tap target."""

import pytest
from django.utils import timezone

from community.models import Cadre, SkillAssessment, SkillGroup, SkillSet
from tests.community.factories import CadreFactory, PosyanduFactory

pytestmark = pytest.mark.browser


def test_a_head_assesses_a_cadre_on_a_phone(page, log_in, live_server, world, puskesmas_head):
    point = PosyanduFactory(puskesmas=world["hsu"]["puskesmas"], name="Posyandu Mawar")
    cadre = CadreFactory(service_point=point, name="Siti Aminah")
    skills = SkillSet.for_year(timezone.localdate().year).skills.order_by("number")
    management = list(skills.filter(group=SkillGroup.MANAGEMENT))
    adults = list(skills.filter(group=SkillGroup.ADULTS))

    log_in(page, puskesmas_head)
    page.goto(f"{live_server.url}/ukbm/cadres/{cadre.pk}/")
    with page.expect_navigation():
        page.locator("[data-testid=cadre-assess-link]").click()
    assert page.locator("[data-testid=cadre-level]").get_attribute("data-level") == ""
    # Five groups; the first open, the others folded.
    assert page.locator("details.cadre-group").count() == 5
    assert page.locator("details.cadre-group[open]").count() == 1
    assert page.locator("#id_assessed_on").input_value()  # today by default

    for skill in management:
        page.locator(f"label[for=c-{skill.pk}]").click()
    page.locator("details[data-group=adults] > summary").click()
    page.locator(f"label[for=c-{adults[0].pk}]").click()
    page.locator(f"label[for=n-{adults[1].pk}]").click()

    # Made for the phone: nothing sideways, big enough to tap.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    small = page.evaluate(
        """() => [...document.querySelectorAll(
                '.cadre-choice label, .cadre-group > summary, .cadre-assess-save button, '
                + '#id_assessed_on, #id_note')]
            .filter(e => e.offsetParent !== null)
            .filter(e => e.getBoundingClientRect().height < 44)
            .map(e => e.id || e.textContent.trim())"""
    )
    assert small == []
    page.locator("details[data-group=adults]").scroll_into_view_if_needed()
    page.screenshot(path="/tmp/cadre-assess-marking-360.png")

    with page.expect_navigation():
        page.locator("[data-testid=cadre-assess-save]").click()
    cadre.refresh_from_db()
    assert (cadre.level, cadre.skills_competent, cadre.badges) == ("purwa", 6, ["management"])
    assert SkillAssessment.objects.filter(cadre=cadre, assessor=puskesmas_head).count() == 7
    assert Cadre.objects.get(pk=cadre.pk).last_assessed_on is not None
    standing = page.locator("[data-testid=cadre-standing]")
    assert standing.locator("[data-testid=cadre-level]").get_attribute("data-level") == "purwa"
    assert standing.locator("[data-testid=cadre-badge]").count() == 1
    assert page.locator("[data-testid=cadre-skills-competent]").inner_text() == "6"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path="/tmp/cadre-assess-360.png")

    # The cadre's page and the list read on the same phone, nothing sideways.
    for url in (f"/ukbm/cadres/{cadre.pk}/", "/ukbm/cadres/?level=purwa"):
        page.goto(f"{live_server.url}{url}")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), url
    assert page.locator("[data-testid=cadre-list] tbody tr").count() == 1
    page.screenshot(path="/tmp/cadre-list-360.png", full_page=True)
