"""Evidence in an S3-compatible bucket (MinIO, Aliyun OSS, Tencent COS, AWS S3) through boto3, the optional extra."""
from __future__ import annotations

from bot.errors import ConfigError, StorageUnavailable
from bot.store.blobs import Blob, BadKey, S3Place, checked

try:  # boto3 is the optional [s3] extra: without it media can be kept only in the data folder
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:
    boto3 = None
    BotoCoreError = ClientError = ()  # nothing to catch: no S3Blobs can be made without boto3

MISSING = frozenset({"NoSuchKey", "404", "NotFound"})


class S3Blobs:
    """One boto3 client for the process, with timeouts; closed by the runtime that opened it."""

    def __init__(self, place: S3Place):
        if boto3 is None:
            raise ConfigError("MINHU_MEDIA_S3_BUCKET: set, but boto3 is not installed: pip install 'minhu[s3]' "
                              "(or pip install -e '.[s3]' in a checkout)")
        self.place = place
        self.where = f"s3://{place.bucket}/{place.prefix}" + (f" at {place.endpoint}" if place.endpoint else "")
        config = Config(connect_timeout=3.05, read_timeout=10, retries={"mode": "standard", "max_attempts": 2},
                        s3={"addressing_style": place.addressing_style},
                        # boto3 1.36+ adds CRC checksum headers that OSS, COS and older MinIO refuse; S3 needs none.
                        request_checksum_calculation="when_required", response_checksum_validation="when_required")
        # Keys passed explicitly: only minhu's variables (or the AWS ones they fall back to) choose who we are.
        session = boto3.session.Session(aws_access_key_id=place.access_key_id,
                                        aws_secret_access_key=place.secret_access_key, region_name=place.region)
        self.client = session.client("s3", endpoint_url=place.endpoint or None, config=config)

    def _key(self, key: str) -> str:
        return self.place.prefix + checked(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        try:
            self.client.put_object(Bucket=self.place.bucket, Key=self._key(key), Body=data, ContentType=content_type)
        except (BotoCoreError, ClientError) as exc:
            raise StorageUnavailable(f"S3 put {key}: {_reason(exc)}") from None

    def get(self, key: str) -> bytes | None:
        blob = self.open(key)
        if blob is None:
            return None
        try:
            with blob.source:
                return blob.source.read()
        except (BotoCoreError, OSError) as exc:
            raise StorageUnavailable(f"S3 get {key}: {_reason(exc)}") from None

    def open(self, key: str) -> Blob | None:
        """The object as a stream to pass on (the caller reads and closes it), None when there is none."""
        answer = self._ask("get", key, self.client.get_object)
        if answer is None:
            return None
        etag = (answer.get("ETag") or "").strip('"') or None
        return Blob(answer["Body"], size=answer.get("ContentLength"), etag=etag, modified=answer.get("LastModified"))

    def exists(self, key: str) -> bool:
        return self._ask("head", key, self.client.head_object) is not None

    def _ask(self, verb: str, key: str, call):
        """One call about an object: the service's answer, None when there is no such object (or no such key)."""
        try:
            return call(Bucket=self.place.bucket, Key=self._key(key))
        except BadKey:
            return None
        except ClientError as exc:
            if _code(exc) in MISSING:
                return None
            raise StorageUnavailable(f"S3 {verb} {key}: {_reason(exc)}") from None
        except BotoCoreError as exc:
            raise StorageUnavailable(f"S3 {verb} {key}: {_reason(exc)}") from None

    def problem(self) -> str | None:
        """What stops minhu from using the bucket (asked by `minhu check`), None when it answers."""
        try:
            self.client.head_bucket(Bucket=self.place.bucket)
            return None
        except ClientError as exc:
            code = _code(exc)
            if code in ("404", "NoSuchBucket", "NotFound"):
                return f"MINHU_MEDIA_S3_BUCKET: no bucket {self.place.bucket} at {self.place.endpoint or 'AWS S3'}"
            if code in ("403", "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"):
                return ("MINHU_MEDIA_S3_ACCESS_KEY_ID / MINHU_MEDIA_S3_SECRET_ACCESS_KEY: the service refused them "
                        f"for bucket {self.place.bucket} ({code})")
            return f"MINHU_MEDIA_S3_BUCKET: the service answered {code}"
        except BotoCoreError as exc:
            return f"MINHU_MEDIA_S3_ENDPOINT: cannot reach {self.place.endpoint or 'AWS S3'} ({type(exc).__name__})"

    def close(self) -> None:
        """Close the client's kept-alive connections."""
        self.client.close()


def _code(exc: ClientError) -> str:
    answer = exc.response
    return str(answer.get("Error", {}).get("Code") or answer.get("ResponseMetadata", {}).get("HTTPStatusCode"))


def _reason(exc: Exception) -> str:
    """The service's error code, or the exception's class: never the request's signed URL or the keys."""
    return _code(exc) if isinstance(exc, ClientError) else type(exc).__name__
