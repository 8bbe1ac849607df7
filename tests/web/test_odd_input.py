"""A link page's note with a NUL or an invisible direction mark, posted as a plain or a
multipart form, is a Vietnamese 400 and changes nothing (web.inputs)."""

from __future__ import annotations

import pytest

from tests.web.conftest import COORDINATOR, issue, snapshot, task_id


@pytest.mark.parametrize("note", ["đã xong\x00", "đã \u202exong"])
@pytest.mark.parametrize("multipart", [False, True])
def test_an_unusable_note_on_a_link_page_is_a_400(launched, client, note, multipart):
    tid = task_id(launched, "III.7", "ldld_hue")
    token = issue(launched, tid, "remind", actor=COORDINATOR)
    before = snapshot(launched, tid, token)
    files = {"files": ("", b"", "application/octet-stream")} if multipart else None
    response = client.post(f"/l/{token}", data={"note": note}, files=files)
    assert response.status_code == 400
    assert "Ghi chú" in response.text and "Chưa có gì thay đổi" in response.text
    assert snapshot(launched, tid, token) == before


def test_an_id_beyond_64_bits_in_a_links_file_path_is_a_400(launched, client):
    tid = task_id(launched, "III.7", "ldld_hue")
    token = issue(launched, tid, "report")
    response = client.get(f"/l/{token}/files/{2**64}")
    assert response.status_code == 400 and "quá lớn" in response.text
