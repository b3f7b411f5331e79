"""ndarray <-> {dtype, shape, buffer} (attnscope.wire.codec), against the fixture jest reads too."""

import base64
import json
from pathlib import Path

import numpy as np
import pytest

from attnscope.wire.codec import array_serialization, from_wire, to_wire

FIXTURE = Path(__file__).parent / "fixtures" / "wire_attention_2x3x4x4.json"


@pytest.mark.parametrize("dtype", ["float16", "float32"])
def test_float_round_trip(dtype):
    rng = np.random.default_rng(0)
    a = rng.random((2, 3, 5, 7)).astype(dtype)
    w = to_wire(a, dtype)
    assert w["dtype"] == dtype and w["shape"] == [2, 3, 5, 7]
    assert isinstance(w["buffer"], (bytes, memoryview))
    assert len(bytes(w["buffer"])) == a.size * np.dtype(dtype).itemsize
    b = from_wire(w)
    assert b.dtype == np.dtype(dtype) and b.shape == a.shape
    np.testing.assert_array_equal(a, b)


def test_float16_cast_precision():
    a = np.array([0.123456, 0.876544, 1e-4, 0.999])  # normal float16 range: ~3 digits
    np.testing.assert_allclose(from_wire(to_wire(a)).astype(np.float64), a, rtol=1e-3)
    tiny = np.array([1e-6, 1e-7])  # subnormal: absolute step 2**-24 (~6e-8), not zeroed
    b = from_wire(to_wire(tiny)).astype(np.float64)
    np.testing.assert_allclose(b, tiny, atol=2.0**-25)
    assert (b > 0).all()


def test_uint8_round_trip_and_quantisation():
    a = np.arange(256, dtype=np.uint8).reshape(4, 64)
    np.testing.assert_array_equal(from_wire(to_wire(a, "uint8")), a)
    q = from_wire(to_wire(np.array([0.0, 0.5, 1.0]), "uint8"))
    np.testing.assert_array_equal(q, [0, 128, 255])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        to_wire(np.array([1.5]), "uint8")


def test_little_endian_and_c_contiguous():
    a = np.arange(6, dtype=">f4").reshape(2, 3).T  # big-endian, Fortran order
    w = to_wire(a, "float32")
    assert bytes(w["buffer"]) == np.ascontiguousarray(a, dtype="<f4").tobytes()
    np.testing.assert_array_equal(from_wire(w), a)


@pytest.mark.parametrize("dtype", ["float16", "float32", "uint8"])
def test_wire_does_not_alias_caller_array(dtype):
    a = np.zeros((2, 2), dtype=dtype)
    w = to_wire(a, dtype)
    a[0, 0] = 1
    assert from_wire(w)[0, 0] == 0


def test_shared_fixture_encodes_and_decodes_exactly():
    fx = json.loads(FIXTURE.read_text())
    src = np.array(fx["source_values"], dtype=np.float64).reshape(fx["shape"])
    w = to_wire(src, "float16")
    assert w["dtype"] == fx["dtype"] and w["shape"] == fx["shape"]
    assert base64.b64encode(bytes(w["buffer"])).decode() == fx["buffer_base64"]
    decoded = from_wire({"dtype": fx["dtype"], "shape": fx["shape"],
                         "buffer": base64.b64decode(fx["buffer_base64"])})
    assert decoded.astype(np.float64).ravel().tolist() == fx["values"]


@pytest.mark.parametrize("dtype", ["float64", "int32", "bfloat16", None, "f2"])
def test_bad_dtype_rejected(dtype):
    with pytest.raises(ValueError, match="dtype"):
        to_wire(np.zeros(3), dtype)
    with pytest.raises(ValueError, match="dtype"):
        from_wire({"dtype": dtype, "shape": [3], "buffer": b"\0" * 24})


def test_non_numeric_array_rejected():
    with pytest.raises(TypeError, match="dtype <U"):
        to_wire(np.array(["a", "b"]))


def test_float16_overflow_rejected():
    with pytest.raises(ValueError, match="float16 range"):
        to_wire(np.array([1e6]))


@pytest.mark.parametrize(
    "wire, message",
    [
        ({"dtype": "float16", "shape": [2, 2], "buffer": b"\0" * 6}, "6 bytes"),
        ({"dtype": "float16", "shape": [-1], "buffer": b""}, "non-negative"),
        ({"dtype": "float16", "shape": [1], "buffer": [0.5]}, "bytes or memoryview"),
        ({"dtype": "float16", "shape": [1], "buffer": b"\0\0", "extra": 1}, "keys"),
    ],
)
def test_malformed_wire_rejected(wire, message):
    with pytest.raises((ValueError, TypeError), match=message):
        from_wire(wire)


def test_trait_serializers():
    a = np.eye(3, dtype=np.float32)
    j = array_serialization["to_json"](a, None)
    assert isinstance(j["buffer"], memoryview)
    np.testing.assert_array_equal(array_serialization["from_json"](j, None), a)
    assert array_serialization["to_json"](None, None) is None
