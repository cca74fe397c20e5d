"""Evidence in an S3-compatible bucket: a resident's photo lands there, the desk streams it, a refused put is retried."""
import io

from PIL import Image

from bot.store.models import Attachment
from tests.conversation import GRID1, config_changes, number_in, rows, settings, ticket  # noqa: F401 (fixtures)
from tests.desk import add_user, login
from tests.s3 import bucket, env, keys_in, object_bytes, s3_admin, s3_server  # noqa: F401 (fixtures)
from tests.test_media import GPS, photo_with_position


def test_a_residents_photo_lands_in_the_bucket_and_the_desk_streams_it(wechat, runtime, fake_wechat, client,
                                                                       s3_admin, bucket, tmp_path):
    fake_wechat.put_media("PHOTO_S3", photo_with_position())
    number = number_in(wechat.say("3号楼2单元楼顶漏水了", sender="o_s1"))
    assert f"照片已附到工单{number}" in wechat.image(sender="o_s1", media_id="PHOTO_S3")
    wechat.run_jobs()

    (photo,) = rows(runtime, Attachment, Attachment.ticket_id == ticket(runtime, number).id)
    assert photo.fetch_status == "stored" and photo.fetch_error is None
    assert keys_in(s3_admin, bucket) == [f"evidence/{photo.stored}", f"evidence/{photo.thumbnail}"]
    kept = Image.open(io.BytesIO(object_bytes(s3_admin, bucket, f"evidence/{photo.stored}")))
    assert kept.size == (1200, 900) and not kept.getexif().get_ifd(GPS)
    assert not (tmp_path / "media").exists()  # nothing under the data folder
    # The grid worker got the kept photo after the task text, read back from the bucket.
    to_worker = [m for m in fake_wechat.messages if m["touser"] == GRID1]
    assert [m["kind"] for m in to_worker] == ["text", "image"]
    uploaded, _ = fake_wechat.uploads[to_worker[1]["media_id"]]
    assert object_bytes(s3_admin, bucket, f"evidence/{photo.stored}") in uploaded

    # The desk streams both through the app, behind its login; no bucket address reaches the browser.
    assert client.get(f"/media/{photo.id}").status_code == 302
    add_user(runtime, username="li", role="grid_worker", grid="grid-1", name="李建国")
    login(client, "li")
    page = client.get(f"/tickets/{number}").get_data(as_text=True)
    assert f"/media/{photo.id}/thumb" in page and "127.0.0.1" not in page and bucket not in page
    full, thumb = client.get(f"/media/{photo.id}"), client.get(f"/media/{photo.id}/thumb")
    assert full.status_code == 200 and full.mimetype == "image/jpeg"
    assert full.data == object_bytes(s3_admin, bucket, f"evidence/{photo.stored}")
    assert thumb.status_code == 200 and max(Image.open(io.BytesIO(thumb.data)).size) == 320
    assert "private" in full.headers["Cache-Control"] and "public" not in full.headers["Cache-Control"]
    again = client.get(f"/media/{photo.id}", headers={"If-None-Match": full.headers["ETag"]})
    assert again.status_code == 304


def test_a_put_the_bucket_refuses_is_retried_then_kept(wechat, runtime, fake_wechat, s3_admin, bucket):
    fake_wechat.put_media("PHOTO_LATE", photo_with_position((640, 480)))
    number = number_in(wechat.say("3号楼2单元楼顶漏水了", sender="o_s2"))
    s3_admin.delete_bucket(Bucket=bucket)  # the bucket is gone for a while (deleted by mistake, a wrong policy)
    wechat.image(sender="o_s2", media_id="PHOTO_LATE")
    wechat.run_jobs()
    (photo,) = rows(runtime, Attachment, Attachment.ticket_id == ticket(runtime, number).id)
    assert (photo.fetch_status, photo.fetch_attempts) == ("pending", 1) and "NoSuchBucket" in photo.fetch_error
    assert photo.stored is None and not [m for m in fake_wechat.messages if m["kind"] == "image"]

    s3_admin.create_bucket(Bucket=bucket)
    wechat.run_due_jobs()  # RQ's retry, as if its time had come
    (photo,) = rows(runtime, Attachment, Attachment.id == photo.id)
    assert (photo.fetch_status, photo.fetch_attempts, photo.fetch_error) == ("stored", 2, None)
    assert keys_in(s3_admin, bucket) == [f"evidence/{photo.stored}", f"evidence/{photo.thumbnail}"]
    assert [m["kind"] for m in fake_wechat.messages if m["touser"] == GRID1].count("image") == 1


def test_a_put_refused_at_every_try_is_marked_failed_with_the_reason(wechat, runtime, fake_wechat, s3_admin, bucket):
    fake_wechat.put_media("PHOTO_NEVER", photo_with_position((320, 240)))
    number = number_in(wechat.say("3号楼2单元楼顶漏水了", sender="o_s3"))
    s3_admin.delete_bucket(Bucket=bucket)
    wechat.image(sender="o_s3", media_id="PHOTO_NEVER")
    wechat.run_jobs()
    for _ in range(10):  # every retry RQ would make, and more
        wechat.run_due_jobs()
    (photo,) = rows(runtime, Attachment, Attachment.ticket_id == ticket(runtime, number).id)
    assert photo.fetch_status == "failed" and "NoSuchBucket" in photo.fetch_error and photo.media_id == "PHOTO_NEVER"
    assert photo.fetch_attempts == 7  # the first run and RQ's six retries


def test_a_key_on_the_attachment_that_leads_out_of_the_store_is_never_served(wechat, runtime, fake_wechat, client,
                                                                              s3_admin, bucket):
    # Kept literally by this server; a server or proxy that folds dot segments would read other/secret.txt.
    s3_admin.put_object(Bucket=bucket, Key="evidence/../other/secret.txt", Body=b"not evidence")
    fake_wechat.put_media("PHOTO_K", photo_with_position((320, 240)))
    number = number_in(wechat.say("3号楼2单元楼顶漏水了", sender="o_s4"))
    wechat.image(sender="o_s4", media_id="PHOTO_K")
    wechat.run_jobs()
    (photo,) = rows(runtime, Attachment, Attachment.ticket_id == ticket(runtime, number).id)
    with runtime.sessions() as db:  # a row changed by hand, or by a bug
        db.get(Attachment, photo.id).stored = "../other/secret.txt"
        db.commit()
    add_user(runtime, username="li", role="grid_worker", grid="grid-1", name="李建国")
    login(client, "li")
    assert client.get(f"/media/{photo.id}").status_code == 404
    assert client.get(f"/media/{photo.id}/thumb").status_code == 200
