"""A video's thumbnail kept beside it, and the first photo pushed to grid workers who read their tasks in WeCom."""
import io

import pytest
from PIL import Image

from bot.store.models import Attachment
from tests.conversation import GRID1, config_changes, number_in, rows, settings, ticket  # noqa: F401 (fixtures)
from tests.desk import add_user, login
from tests.fake_wecom import FakeWeCom
from tests.test_media import GPS, photo_with_position

MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(range(256)) * 4


def video(wechat, sender, media_id, thumb_media_id, kind="video"):
    return wechat.message(sender, kind, f"<MediaId><![CDATA[{media_id}]]></MediaId>"
                                        f"<ThumbMediaId><![CDATA[{thumb_media_id}]]></ThumbMediaId>")


@pytest.mark.parametrize("kind", ["video", "shortvideo"])
def test_a_videos_thumbnail_is_kept_cleaned_and_shown_on_the_desk(wechat, runtime, fake_wechat, client, tmp_path,
                                                                   kind):
    fake_wechat.put_media("VIDEO_1", MP4, "video/mp4")
    fake_wechat.put_media("VIDEO_1_THUMB", photo_with_position((480, 640)))
    number = number_in(wechat.say("3号楼2单元楼顶漏水了", sender="o_v1"))
    assert number in video(wechat, "o_v1", "VIDEO_1", "VIDEO_1_THUMB", kind)
    wechat.run_jobs()

    (clip,) = rows(runtime, Attachment, Attachment.ticket_id == ticket(runtime, number).id)
    assert (clip.kind, clip.fetch_status, clip.content_type) == ("video", "stored", "video/mp4")
    assert runtime.blobs.get(clip.stored) == MP4  # the video as sent
    thumb = Image.open(io.BytesIO(runtime.blobs.get(clip.thumbnail)))
    assert thumb.format == "JPEG" and max(thumb.size) <= 320 and not thumb.getexif().get_ifd(GPS)

    add_user(runtime, username="li", role="grid_worker", grid="grid-1", name="李建国")
    login(client, "li")
    page = client.get(f"/tickets/{number}").get_data(as_text=True)
    assert f'href="/media/{clip.id}"' in page and f'src="/media/{clip.id}/thumb"' in page
    shown = client.get(f"/media/{clip.id}/thumb")
    assert shown.status_code == 200 and shown.mimetype == "image/jpeg"
    played = client.get(f"/media/{clip.id}")
    assert played.status_code == 200 and played.mimetype == "video/mp4" and played.data == MP4


def test_a_video_whose_thumbnail_wechat_will_not_give_is_kept_without_one(wechat, runtime, fake_wechat, tmp_path):
    fake_wechat.put_media("VIDEO_2", MP4, "video/mp4")
    number = number_in(wechat.say("3号楼2单元楼顶漏水了", sender="o_v2"))
    video(wechat, "o_v2", "VIDEO_2", "THUMB_GONE")
    wechat.run_jobs()
    (clip,) = rows(runtime, Attachment, Attachment.ticket_id == ticket(runtime, number).id)
    assert clip.fetch_status == "stored" and clip.thumbnail is None and "40007" in clip.fetch_error
    assert runtime.blobs.get(clip.stored) == MP4


@pytest.fixture
def fake_wecom():
    fake = FakeWeCom()
    yield fake
    fake.stop()


@pytest.fixture
def env(env, fake_wecom):
    return env | {"MINHU_WECOM_CORPID": "corp", "MINHU_WECOM_SECRET": "s", "MINHU_WECOM_AGENTID": "1000002",
                  "MINHU_WECOM_API_BASE": fake_wecom.base}


@pytest.mark.parametrize("config_changes", [{"wecom": {"enabled": True, "users": {GRID1: "LiJianGuo"}}}])
def test_a_grid_worker_on_wecom_gets_the_first_photo_after_the_task_text(wechat, runtime, fake_wechat, fake_wecom,
                                                                         tmp_path):
    fake_wechat.put_media("PHOTO_WECOM", photo_with_position((800, 600)))
    number = number_in(wechat.say("3号楼2单元楼顶漏水了", sender="o_w1"))
    wechat.image(sender="o_w1", media_id="PHOTO_WECOM")
    wechat.run_jobs()
    wechat.run_jobs()

    (photo,) = rows(runtime, Attachment, Attachment.ticket_id == ticket(runtime, number).id)
    assert [m["msgtype"] for _, m in fake_wecom.sent] == ["text", "image"]
    (_, task), (token, image) = fake_wecom.sent
    assert number in task["text"]["content"] and token == "WECOM_TOKEN"
    assert image["touser"] == "LiJianGuo" and image["agentid"] == 1000002
    assert runtime.blobs.get(photo.stored) in fake_wecom.uploads[image["image"]["media_id"]]
    assert not [m for m in fake_wechat.messages if m["touser"] == GRID1]  # nothing through WeChat for him


@pytest.mark.parametrize("config_changes", [{"wecom": {"enabled": True, "users": {GRID1: "LiJianGuo"}}}])
def test_a_photo_sent_before_the_report_follows_the_wecom_task_once(wechat, runtime, fake_wechat, fake_wecom):
    fake_wechat.put_media("PHOTO_EARLY", photo_with_position((400, 300)))
    wechat.image(sender="o_w2", media_id="PHOTO_EARLY")
    wechat.say("3号楼2单元楼道灯坏了", sender="o_w2")
    wechat.run_jobs()
    wechat.run_due_jobs()
    kinds = [m["msgtype"] for _, m in fake_wecom.sent]
    assert kinds[0] == "text" and kinds.count("image") == 1 and len(fake_wecom.uploads) == 1
