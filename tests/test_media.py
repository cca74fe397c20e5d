"""Evidence kept: a resident's photo is fetched from (the loopback stand-in of) WeChat, cleaned and stored."""
import io

from PIL import Image, ImageDraw

from bot.store.models import Attachment, Delivery
from tests.desk import add_user, login
from tests.conversation import GRID1, config_changes, number_in, rows, settings, ticket  # noqa: F401 (fixtures)

GPS = 0x8825


def scene(size) -> Image.Image:
    """A ceiling with a water stain, drawn: something a screenshot can show as a resident's photo."""
    width, height = size
    picture = Image.new("RGB", size, (226, 222, 212))
    draw = ImageDraw.Draw(picture)
    for y in range(0, height, max(1, height // 12)):
        draw.line([(0, y), (width, y)], fill=(210, 205, 195), width=2)
    for i, shade in enumerate([(150, 128, 96), (170, 150, 115), (190, 172, 140)]):
        inset = i * width // 16
        draw.ellipse([width // 4 + inset, height // 4 + inset // 2, 3 * width // 4 - inset,
                      3 * height // 4 - inset // 2], fill=shade)
    return picture


def photo_with_position(size=(1200, 900)) -> bytes:
    """A JPEG as a phone takes it: EXIF with the GPS position where it was taken and the camera's make."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(GPS).update({1: "N", 2: (31.0, 14.0, 5.5), 3: "E", 4: (121.0, 28.0, 12.25)})
    out = io.BytesIO()
    scene(size).save(out, "JPEG", exif=exif)
    assert Image.open(io.BytesIO(out.getvalue())).getexif().get_ifd(GPS)  # the position really is in it
    return out.getvalue()


def test_a_residents_photo_is_kept_without_its_position_and_follows_the_task_push(wechat, runtime, fake_wechat,
                                                                                   tmp_path):
    fake_wechat.put_media("PHOTO_LEAK", photo_with_position())
    number = number_in(wechat.say("3号楼2单元楼顶漏水了", sender="o_r1"))
    assert f"照片已附到工单{number}" in wechat.image(sender="o_r1", media_id="PHOTO_LEAK")
    wechat.run_jobs()

    (photo,) = rows(runtime, Attachment, Attachment.ticket_id == ticket(runtime, number).id)
    assert photo.fetch_status == "stored" and photo.fetch_attempts == 1
    kept = Image.open(io.BytesIO(runtime.blobs.get(photo.stored)))
    assert kept.size == (1200, 900) and not kept.getexif().get_ifd(GPS) and not kept.getexif().get(0x010F)
    assert max(Image.open(io.BytesIO(runtime.blobs.get(photo.thumbnail))).size) == 320
    # The grid worker: the task's text, then the photo as an image message.
    to_worker = [m for m in fake_wechat.messages if m["touser"] == GRID1]
    assert [m["kind"] for m in to_worker] == ["text", "image"] and number in to_worker[0]["content"]
    uploaded, kind = fake_wechat.uploads[to_worker[1]["media_id"]]
    assert kind == "image" and b"\xff\xd8" in uploaded  # the kept JPEG went up, not the original
    wechat.run_jobs()
    assert len([m for m in fake_wechat.messages if m["touser"] == GRID1 and m["kind"] == "image"]) == 1


def test_a_photo_sent_before_the_report_goes_out_right_after_the_task_text(wechat, runtime, fake_wechat):
    fake_wechat.put_media("PHOTO_FIRST", photo_with_position((400, 300)))
    wechat.image(sender="o_r2", media_id="PHOTO_FIRST")
    number = number_in(wechat.say("3号楼2单元楼道灯坏了", sender="o_r2"))
    wechat.run_jobs()
    to_worker = [m for m in fake_wechat.messages if m["touser"] == GRID1]
    assert [m["kind"] for m in to_worker] == ["text", "image"] and number in to_worker[0]["content"]
    assert len(rows(runtime, Delivery, Delivery.event == "photo")) == 1


def test_a_fetch_that_fails_is_retried_then_succeeds(wechat, runtime, fake_wechat, tmp_path):
    fake_wechat.put_media("PHOTO_SLOW", photo_with_position((640, 480)))
    number = number_in(wechat.say("3号楼2单元楼顶漏水了", sender="o_r3"))
    fake_wechat.fail_next("media/get", status=502)
    wechat.image(sender="o_r3", media_id="PHOTO_SLOW")
    wechat.run_jobs()
    (photo,) = rows(runtime, Attachment, Attachment.ticket_id == ticket(runtime, number).id)
    assert (photo.fetch_status, photo.fetch_attempts) == ("pending", 1) and "502" in photo.fetch_error
    assert not [m for m in fake_wechat.messages if m["kind"] == "image"]

    wechat.run_due_jobs()  # RQ's retry, as if its time had come
    (photo,) = rows(runtime, Attachment, Attachment.id == photo.id)
    assert (photo.fetch_status, photo.fetch_attempts, photo.fetch_error) == ("stored", 2, None)
    assert runtime.blobs.exists(photo.stored)
    # The timers ran too (a reminder may come between): the photo came after the task text, once.
    to_worker = [m for m in fake_wechat.messages if m["touser"] == GRID1]
    assert to_worker[0]["kind"] == "text" and number in to_worker[0]["content"]
    assert [m["kind"] for m in to_worker].count("image") == 1
    assert len([m for m in fake_wechat.messages if m["kind"] == "image"]) == 1


def test_a_photo_wechat_no_longer_has_is_marked_failed_not_lost(wechat, runtime, fake_wechat, client):
    number = number_in(wechat.say("3号楼2单元楼顶漏水了", sender="o_r4"))
    wechat.image(sender="o_r4", media_id="EXPIRED_MEDIA")
    wechat.run_jobs()
    (photo,) = rows(runtime, Attachment, Attachment.ticket_id == ticket(runtime, number).id)
    assert photo.fetch_status == "failed" and "40007" in photo.fetch_error and photo.media_id == "EXPIRED_MEDIA"
    # The desk says the photo was not kept, and why, in WeChat's words or the store's.
    add_user(runtime, username="li", role="grid_worker", grid="grid-1", name="李建国")
    login(client, "li")
    page = client.get(f"/tickets/{number}").get_data(as_text=True)
    assert "照片未能保存：" in page and "40007" in page


def test_bytes_that_are_no_image_are_marked_failed(wechat, runtime, fake_wechat):
    fake_wechat.put_media("NOT_A_PHOTO", b"<html>oops</html>", "image/jpeg")
    number = number_in(wechat.say("3号楼2单元楼顶漏水了", sender="o_r5"))
    wechat.image(sender="o_r5", media_id="NOT_A_PHOTO")
    wechat.run_jobs()
    (photo,) = rows(runtime, Attachment, Attachment.ticket_id == ticket(runtime, number).id)
    assert photo.fetch_status == "failed" and photo.stored is None


def test_a_voice_note_is_kept_as_sent(wechat, runtime, fake_wechat, tmp_path):
    fake_wechat.put_media("VOICE_1", b"#!AMR\n" + bytes(range(200)), "audio/amr")
    number = number_in(wechat.say("3号楼2单元楼顶漏水了", sender="o_r6"))
    wechat.voice(recognition="", sender="o_r6", media_id="VOICE_1")
    wechat.run_jobs()
    voices = rows(runtime, Attachment, Attachment.ticket_id == ticket(runtime, number).id, Attachment.kind == "voice")
    assert voices and voices[0].fetch_status == "stored" and voices[0].stored.endswith(".amr")
    assert runtime.blobs.get(voices[0].stored).startswith(b"#!AMR")
