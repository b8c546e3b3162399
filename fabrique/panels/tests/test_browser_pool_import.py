"""Importing a pool in a real browser: a territory admin sends a small CSV, checks the
columns guessed, corrects the file once and lands on the pool. Every screen checked with
axe-core and saved as desktop and phone screenshots."""

from __future__ import annotations

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from fabrique.core.tests.browser import BrowserDemo, Web
from fabrique.panels import services
from fabrique.panels.models import Category, Panel
from fabrique.panels.tests.factories import make_panel, panel_process

pytestmark = pytest.mark.browser

HEADER = "Prénom;Nom;Adresse e-mail;Tél.;Ville;Genre;Tranche d'âge"
LINES = [
    "Camille;Martin;camille.martin@example.fr;06 12 34 56 78;Chalon-sur-Saône;Femme;16-34",
    "Lucas;Bernard;;07 98 76 54 32;saint remy;Homme;35+",
    "Inès;Petit;ines.petit@example.fr;;71221;femme;35+",
]


@pytest.fixture
def panel(browser_demo: BrowserDemo) -> Panel:
    panel = make_panel(
        size=4,
        title="Panel citoyen des mobilités",
        process=panel_process(territory=browser_demo.territory),
    )
    services.category_add(
        panel=panel,
        kind=Category.Kind.BASIN,
        label="Bassin de vie",
        why_asked="Pour que chaque bassin de vie soit représenté.",
        grouping=browser_demo.grouping,
    )
    return panel


def _send(web: Web, path: str, lines: list[str], tmp_path) -> None:
    csv_file = tmp_path / "vivier.csv"
    csv_file.write_bytes("\r\n".join(lines).encode("cp1252"))  # as Excel on Windows saves it
    web.open(path)
    web.driver.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(csv_file))
    web.submit()


def test_staff_import_a_csv_into_the_pool(
    web: Web, browser_demo: BrowserDemo, panel: Panel, tmp_path
) -> None:
    args = [browser_demo.territory.slug, panel.process.slug, panel.slug]
    upload = reverse("panels:bo_import", args=args)
    web.log_in(browser_demo.territory_admin)
    web.open(upload)
    web.check_page("pool-import-upload")

    # A first file with a faulty line: listed on the mapping screen, nothing added.
    _send(web, upload, [HEADER, *LINES, "Léa;Roux;lea@;;Nulle-part;Femme;16-34"], tmp_path)
    assert web.path == reverse("panels:bo_import_map", args=[*args, panel.imports.get().pk])
    columns = {
        name: Select(web.driver.find_element(By.NAME, name)).first_selected_option.text
        for name in ("first_name", "last_name", "email", "phone", "commune")
    }
    assert columns == {
        "first_name": "A · Prénom",
        "last_name": "B · Nom",
        "email": "C · Adresse e-mail",
        "phone": "D · Tél.",
        "commune": "E · Ville",
    }
    web.check_page("pool-import-map")
    web.driver.find_element(By.CSS_SELECTOR, "input[name=consent] + label").click()
    web.submit()
    report = web.driver.find_element(By.CSS_SELECTOR, "main [role=alert]")
    faults = report.find_elements(By.TAG_NAME, "li")
    assert len(faults) == 2  # the e-mail address and the commune of line 5
    assert all("5" in fault.text for fault in faults)
    assert not panel.volunteers.exists()
    web.check_page("pool-import-map-errors")

    # The corrected file goes through.
    _send(web, upload, [HEADER, *LINES], tmp_path)
    web.driver.find_element(By.CSS_SELECTOR, "input[name=consent] + label").click()
    web.submit()

    assert web.path == reverse("panels:bo_pool", args=args)
    assert "3" in web.driver.find_element(By.CSS_SELECTOR, ".message-success").text
    assert panel.volunteers.count() == 3
    assert set(panel.volunteers.values_list("commune__insee_code", flat=True)) == {
        "71076",
        "71475",
        "71221",
    }
    web.check_page("pool-import-done")
