"""Pages are sent in brotli to browsers that accept it, gzip to the others (issue #13), with
their length padded at random against BREACH as Django's GZipMiddleware does."""

import gzip
import os

import brotli
import pytest
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.middleware.http import ConditionalGetMiddleware
from django.test import RequestFactory
from django.urls import reverse

from kernel.middleware import CompressionMiddleware, brotli_compress

PAGE = ("<p>Capaian SPM per desa, Puskesmas Danau Panggang</p>\n" * 80).encode()


def _respond(accept_encoding: str | None, response: HttpResponse | None = None, **headers):
    request = RequestFactory().get("/", **headers)
    if accept_encoding is not None:
        request.META["HTTP_ACCEPT_ENCODING"] = accept_encoding
    middleware = CompressionMiddleware(lambda request: response or HttpResponse(PAGE))
    return middleware(request)


@pytest.mark.parametrize("accept", ["br", "gzip, deflate, br, zstd", "br;q=1.0, gzip;q=0.5"])
def test_a_browser_that_accepts_brotli_gets_the_page_in_brotli(accept):
    response = _respond(accept)

    assert response["Content-Encoding"] == "br"
    assert brotli.decompress(response.content) == PAGE
    assert int(response["Content-Length"]) == len(response.content) < len(PAGE)
    assert response["Vary"] == "Accept-Encoding"


@pytest.mark.parametrize("accept", ["gzip, deflate", "gzip, br;q=0"])
def test_a_browser_without_brotli_gets_gzip(accept):
    response = _respond(accept)

    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.content) == PAGE
    assert response["Vary"] == "Accept-Encoding"


@pytest.mark.parametrize("accept", [None, "", "identity", "deflate", "br;q=0, gzip;q=0"])
def test_a_client_that_accepts_neither_gets_the_page_as_it_is(accept):
    response = _respond(accept)

    assert not response.has_header("Content-Encoding")
    assert response.content == PAGE
    assert response["Vary"] == "Accept-Encoding"  # a cache must not give it to others


def test_brotli_pages_vary_in_length_at_random_and_always_decompress():
    """The BREACH mitigation: a random 1-100 byte metadata block, skipped by decoders."""
    lengths = set()
    for _ in range(300):
        compressed = brotli_compress(PAGE)
        assert brotli.decompress(compressed) == PAGE
        lengths.add(len(compressed))
    plain = len(brotli_compress(PAGE, max_random_bytes=0))
    assert len(lengths) > 50
    # 1 to 100 random bytes after a 2-byte header: every length in range, short ones drawn too
    # (missing all of 1-10 in 300 draws has a chance of 0.9 ** 300, about 2e-14).
    assert plain + 2 + 1 <= min(lengths) <= plain + 2 + 10
    assert max(lengths) <= plain + 2 + 100


@pytest.mark.parametrize("size", [0, 1, 150, 5_000, 200_000])
def test_brotli_with_padding_decompresses_whatever_the_size(size):
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    assert brotli.decompress(brotli_compress(data)) == data


def test_short_responses_streams_and_encoded_responses_are_left_as_they_are(tmp_path):
    short = _respond("br", HttpResponse(b"ok"))
    assert short.content == b"ok" and not short.has_header("Content-Encoding")

    stream = _respond("br, gzip", StreamingHttpResponse(iter([PAGE, PAGE])))
    assert not stream.has_header("Content-Encoding")
    assert b"".join(stream.streaming_content) == PAGE + PAGE

    path = tmp_path / "report.csv"
    path.write_bytes(PAGE)
    download = _respond("br, gzip", FileResponse(path.open("rb")))
    assert not download.has_header("Content-Encoding")
    assert b"".join(download.streaming_content) == PAGE

    encoded = HttpResponse(gzip.compress(PAGE), headers={"Content-Encoding": "gzip"})
    assert _respond("br", encoded)["Content-Encoding"] == "gzip"


def test_an_incompressible_response_is_sent_as_it_is():
    noise = os.urandom(300)
    response = _respond("br", HttpResponse(noise))
    assert response.content == noise and not response.has_header("Content-Encoding")


@pytest.mark.parametrize("accept", ["br", "gzip"])
def test_a_strong_etag_becomes_weak_and_a_weak_one_stays(accept):
    strong = _respond(accept, HttpResponse(PAGE, headers={"ETag": '"abc"'}))
    weak = _respond(accept, HttpResponse(PAGE, headers={"ETag": 'W/"abc"'}))

    assert strong["ETag"] == 'W/"abc"'
    assert weak["ETag"] == 'W/"abc"'


@pytest.mark.parametrize("accept", ["br", "gzip"])
def test_a_compressed_page_s_etag_still_matches_a_conditional_request(accept):
    """As with Django's gzip: ConditionalGetMiddleware outside answers 304 to the weak ETag."""

    def view(request):
        return HttpResponse(PAGE, headers={"ETag": '"v1"'})

    stack = ConditionalGetMiddleware(CompressionMiddleware(view))
    first = stack(RequestFactory().get("/", HTTP_ACCEPT_ENCODING=accept))
    again = stack(
        RequestFactory().get("/", HTTP_ACCEPT_ENCODING=accept, HTTP_IF_NONE_MATCH=first["ETag"])
    )

    assert first.status_code == 200 and again.status_code == 304


@pytest.mark.django_db
def test_the_login_page_comes_in_brotli_through_the_whole_stack(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_ENCODING="gzip, deflate, br")

    assert response.status_code == 200
    assert response["Content-Encoding"] == "br"
    assert b'name="username"' in brotli.decompress(response.content)
    assert "Accept-Encoding" in response["Vary"]
