"""Export of the filtered admin list: template headers, BOM CSV, escaping, personal data, log."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from organizations.models import Enterprise, ExportLog, ImportJob
from tests.factories import EnterpriseFactory, FederationFactory, make_credit_code
from tests.organizations.import_helpers import (
    HEADERS,
    db_snapshot,
    importer_without_contacts,
    staff_of,
)

pytestmark = pytest.mark.django_db

EXPORT_URL = "/admin/organizations/enterprise/export/"


def export(client, fmt="xlsx", query=""):
    response = client.post(f"{EXPORT_URL}?{query}", {"format": fmt})
    assert response.status_code == 200, response.content[:500]
    return response


def xlsx_rows(response) -> list[tuple]:
    return list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)


@pytest.fixture
def enterprises(district):
    park = FederationFactory(name="泰达中小企业园妇联", parent=district)
    return [
        EnterpriseFactory(
            credit_code=make_credit_code(1),
            name='=HYPERLINK("http://x")',
            industry="+1",
            address="-2",
            building="@SUM(A1)",
            federation=park,
            contact_name="王女士",
            contact_phone="13812345678",
            sector=Enterprise.Sector.NEW_ECONOMIC,
        ),
        EnterpriseFactory(
            credit_code=make_credit_code(2),
            name="泰达社会组织",
            sector=Enterprise.Sector.NEW_SOCIAL,
            employees=1200,
            female_employees=600,
            has_party_org=True,
        ),
    ]


def test_export_page_counts_the_filtered_list(admin_client, enterprises):
    page = admin_client.get(f"{EXPORT_URL}?sector__exact=social").content.decode()
    assert "中的 1 条记录" in page


def test_xlsx_export_has_template_headers_and_escapes_formulae(admin_client, enterprises):
    rows = xlsx_rows(export(admin_client))
    assert list(rows[0]) == HEADERS
    by_code = {row[0]: row for row in rows[1:]}
    first = by_code[make_credit_code(1)]
    assert first[1] == '\'=HYPERLINK("http://x")'
    assert (first[3], first[4], first[5]) == ("'+1", "'-2", "'@SUM(A1)")
    assert first[9] == "泰达中小企业园妇联" and first[10:12] == ("王女士", "13812345678")
    second = by_code[make_credit_code(2)]
    assert (second[2], second[6], second[8]) == ("新社会组织", 1200, "是")
    workbook = openpyxl.load_workbook(io.BytesIO(export(admin_client).content))
    assert all(cell.data_type != "f" for row in workbook.active.iter_rows() for cell in row)


def test_csv_export_is_utf8_with_bom_and_escaped(admin_client, enterprises):
    content = export(admin_client, "csv").content
    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(HEADERS)
    assert "'+1" in text and "'@SUM(A1)" in text and '"\'=HYPERLINK(""http://x"")"' in text


def test_export_respects_the_changelist_filter(admin_client, enterprises):
    rows = xlsx_rows(export(admin_client, query="sector__exact=social"))
    assert [row[1] for row in rows[1:]] == ["泰达社会组织"]
    rows = xlsx_rows(export(admin_client, query="q=社会"))
    assert len(rows) == 2


def test_personal_columns_only_for_users_allowed_to_see_contacts(client, enterprises):
    user = importer_without_contacts()
    client.force_login(user)
    rows = xlsx_rows(export(client))
    assert "联系人" not in rows[0] and "联系电话" not in rows[0]
    assert all("13812345678" not in [str(v) for v in row] for row in rows)
    log = ExportLog.objects.get()
    assert (log.user, log.row_count, log.with_personal_data) == (user, 2, False)


def test_every_export_is_logged(admin_client, admin_user, enterprises):
    export(admin_client, "csv", query="sector__exact=social")
    export(admin_client)
    logs = list(ExportLog.objects.order_by("pk"))
    assert [(log.file_format, log.row_count, log.user) for log in logs] == [
        ("csv", 1, admin_user),
        ("xlsx", 2, admin_user),
    ]
    assert logs[0].filters == "sector__exact=social" and logs[1].with_personal_data


def test_federation_staff_export_only_their_scope(client, enterprises, district):
    staff = staff_of(enterprises[0].federation)
    client.force_login(staff)
    rows = xlsx_rows(export(client))
    assert [row[0] for row in rows[1:]] == [make_credit_code(1)]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_round_trips_through_import_unchanged(admin_client, enterprises, fmt):
    content = export(admin_client, fmt).content
    before = db_snapshot()
    admin_client.post(
        "/admin/organizations/enterprise/import/",
        {"file": SimpleUploadedFile(f"export.{fmt}", content)},
    )
    job = ImportJob.objects.get()
    assert job.status == "previewed", job.errors
    assert (job.new_count, job.updated_count, job.unchanged_count) == (0, 0, 2)
    admin_client.post(reverse("admin:organizations_enterprise_process_import"), {"job": job.pk})
    assert db_snapshot() == before


def test_federation_and_site_exports(admin_client, enterprises):
    for kind in ("federation", "servicesite"):
        response = admin_client.post(f"/admin/organizations/{kind}/export/", {"format": "xlsx"})
        assert response.status_code == 200
    rows = list(
        openpyxl.load_workbook(
            io.BytesIO(
                admin_client.post(
                    "/admin/organizations/federation/export/", {"format": "xlsx"}
                ).content
            )
        ).active.values
    )
    assert rows[0][:3] == ("名称", "简称", "层级") and len(rows) == 3


def test_an_export_with_contacts_reaches_the_personal_data_access_log(
    admin_client, admin_user, enterprises
):
    from federation.models import PersonalDataAccess

    export(admin_client)
    entry = PersonalDataAccess.objects.get(kind=PersonalDataAccess.Kind.EXPORT)
    assert (entry.user, entry.object_count) == (admin_user, 2)
    assert "contact_phone" in entry.fields and "contact_name" in entry.fields
