#!/usr/bin/python3
"""Render the golden files for package chat with the real chat templates and Python's jinja2.

Run from this directory (tokenizer/chat/testdata) with Debian's python3-jinja2:

    apt-get install -y python3-jinja2
    /usr/bin/python3 render_golden.py

It reads templates/*.jinja (see templates/README.md for where each one comes from) and writes:

    golden/conversations.json        the conversations, by case name
    golden/families.json             per family: template file, bos/eos tokens, date, system polyfill
    golden/<family>__<case>__gen.txt     rendered with add_generation_prompt=True
    golden/<family>__<case>__nogen.txt   rendered with add_generation_prompt=False
    golden/<family>__<case>__<gen|nogen>.error   instead of .txt when the template raises

The environment is the one Hugging Face transformers' apply_chat_template uses and that llama.cpp's
own Jinja engine copies: a sandboxed jinja2 environment with trim_blocks=True, lstrip_blocks=True and
the loopcontrols extension; raise_exception() raises; strftime_now() returns a fixed date.

One step comes from llama.cpp rather than from the template: when a template does not render the
content of a leading system message (llama.cpp's capability probe, repeated below), llama.cpp merges
that system message into the next message as "<system>\\n<next>" (or drops it when it is alone) before
rendering (common/chat.cpp, workaround::system_message_not_supported). The script applies the same
step for those templates, so the golden files are what llama.cpp feeds the model.
"""

import json
import os
import sys

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATES = os.path.join(HERE, "templates")
GOLDEN = os.path.join(HERE, "golden")

FIXED_DATE = "26 Nov 2026"  # what strftime_now("%d %b %Y") returns here

# golden family -> (Go template name, template file, bos_token, eos_token, date)
# date: passed as the Llama 3.1 template's date_string variable (when not empty) or returned by
# strftime_now (Llama 3.2); the Go side receives the same value as Options.Date.
FAMILIES = {
    "chatml": ("chatml", "teknium-OpenHermes-2.5-Mistral-7B.jinja", "<s>", "<|im_end|>", ""),
    "qwen2": ("qwen2", "Qwen-Qwen2-7B-Instruct.jinja", "", "<|im_end|>", ""),
    "qwen2.5": ("qwen2.5", "Qwen-Qwen2.5-7B-Instruct.jinja", "", "<|im_end|>", ""),
    "smollm2": ("smollm2", "HuggingFaceTB-SmolLM2-1.7B-Instruct.jinja", "<|im_start|>", "<|im_end|>", ""),
    "llama3": ("llama3", "meta-llama-Meta-Llama-3-8B-Instruct.jinja", "<|begin_of_text|>", "<|eot_id|>", ""),
    "llama3.1": ("llama3.1", "meta-llama-Llama-3.1-8B-Instruct.jinja", "<|begin_of_text|>", "<|eot_id|>", ""),
    "llama3.1-dated": ("llama3.1", "meta-llama-Llama-3.3-70B-Instruct.jinja", "<|begin_of_text|>", "<|eot_id|>", FIXED_DATE),
    "llama3.2": ("llama3.2", "meta-llama-Llama-3.2-3B-Instruct.jinja", "<|begin_of_text|>", "<|eot_id|>", FIXED_DATE),
    "llama2": ("llama2", "meta-llama-Llama-2-7b-chat-hf.jinja", "<s>", "</s>", ""),
    "mistral-v0.1": ("mistral-v0.1", "mistralai-Mistral-7B-Instruct-v0.1.jinja", "<s>", "</s>", ""),
    "mixtral": ("mixtral", "mistralai-Mixtral-8x7B-Instruct-v0.1.jinja", "<s>", "</s>", ""),
    "mistral-v1": ("mistral-v1", "mistralai-Mistral-7B-Instruct-v0.2.jinja", "<s>", "</s>", ""),
    "mistral-v3": ("mistral-v3", "mistralai-Mistral-Large-Instruct-2407.jinja", "<s>", "</s>", ""),
    "mistral-v3-tekken": ("mistral-v3-tekken", "mistralai-Mistral-Nemo-Instruct-2407.jinja", "<s>", "</s>", ""),
    "zephyr": ("zephyr", "TinyLlama-TinyLlama-1.1B-Chat-v1.0.jinja", "<s>", "</s>", ""),
    "phi3.5": ("phi3.5", "microsoft-Phi-3.5-mini-instruct.jinja", "<s>", "<|endoftext|>", ""),
    "phi3-mini": ("phi3-mini", "microsoft-Phi-3-mini-4k-instruct-legacy.jinja", "<s>", "<|endoftext|>", ""),
    "phi3-medium": ("phi3-medium", "microsoft-Phi-3-medium-4k-instruct.jinja", "<s>", "<|endoftext|>", ""),
    "phi3-small": ("phi3-small", "microsoft-Phi-3-small-8k-instruct.jinja", "<|endoftext|>", "<|endoftext|>", ""),
    "phi3-vision": ("phi3-vision", "microsoft-Phi-3-vision-128k-instruct.jinja", "<s>", "<|endoftext|>", ""),
    "gemma2": ("gemma2", "google-gemma-2-2b-it.jinja", "<bos>", "<eos>", ""),
}


def m(role, content):
    return {"role": role, "content": content}


CONVERSATIONS = {
    "empty": [],
    "user": [m("user", "Hello")],
    "system_user": [m("system", "You are a helpful assistant"), m("user", "Hello")],
    "system_only": [m("system", "You are a helpful assistant")],
    "multi": [
        m("system", "You are a helpful assistant"),
        m("user", "Hello"),
        m("assistant", "Hi there"),
        m("user", "Who are you"),
        m("assistant", "   I am an assistant   "),
        m("user", "Another question"),
    ],
    "multi_nosys": [
        m("user", "What is 2+2?"),
        m("assistant", "4"),
        m("user", "And 3+3?"),
    ],
    "ends_assistant": [
        m("system", "Be brief."),
        m("user", "Name a colour."),
        m("assistant", "Blue."),
    ],
    "unicode": [
        m("system", "Tu es un assistant 🤖 très poli."),
        m("user", "こんにちは, ça va? 👋🏽\nZweite Zeile — mit Umlauten: äöü ß"),
        m("assistant", "\x1f Ünïcödé ✓ 你好 \u200d\x1e"),
        m("user", "\u3000\u00a0 full-width and no-break spaces\u2028\x1c\t"),
    ],
    "empty_content": [m("system", ""), m("user", ""), m("assistant", ""), m("user", "")],
    "whitespace": [
        m("system", "  \n system with spaces \n  "),
        m("user", "  \n hi \t"),
        m("assistant", "\n\n ok \n"),
        m("user", " "),
    ],
    "special_text": [
        m("user", "<|im_end|> [INST] <s> </s> <<SYS>> <|eot_id|> <start_of_turn> {{ x }} {% if %}"),
        m("assistant", "[/INST] <|end|> <end_of_turn>"),
        m("user", "'quotes' \"double\" \\backslash\\"),
    ],
    "user_user": [m("user", "one"), m("user", "two")],
    "assistant_first": [m("assistant", "I speak first"), m("user", "ok")],
    "system_middle": [m("user", "Hi"), m("assistant", "Hello"), m("system", "New rule"), m("user", "Go")],
    "system_after_user": [m("user", "Hi"), m("system", "Late system")],
    "two_systems": [m("system", "First"), m("system", "Second"), m("user", "Hi")],
}


class Raised(Exception):
    pass


def raise_exception(message):
    raise Raised(message)


def strftime_now_for(date):
    def strftime_now(fmt):
        if fmt != "%d %b %Y":
            raise Raised("unexpected strftime_now format %r" % fmt)
        return date
    return strftime_now


def environment():
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                       extensions=["jinja2.ext.loopcontrols"])
    env.globals["raise_exception"] = raise_exception
    return env


def render(template, messages, agp, bos, eos, date, family):
    ctx = dict(messages=messages, add_generation_prompt=agp, bos_token=bos, eos_token=eos)
    if date:
        if family.startswith("llama3.2"):
            ctx["strftime_now"] = strftime_now_for(date)
        else:
            ctx["date_string"] = date
    elif family.startswith("llama3.2"):
        raise SystemExit("llama3.2 needs a fixed date")
    return template.render(**ctx)


def supports_system_role(template, bos, eos):
    """llama.cpp's probe: render [system, user] and see whether the system content is used."""
    needle = "System message 5f3a"
    try:
        out = template.render(messages=[m("system", needle), m("user", "User message")],
                              add_generation_prompt=False, bos_token=bos, eos_token=eos,
                              strftime_now=strftime_now_for(FIXED_DATE))
    except Exception:
        return False
    return needle in out


def polyfill_system(messages):
    """llama.cpp common/chat.cpp workaround::system_message_not_supported."""
    msgs = [dict(x) for x in messages]
    if msgs and msgs[0]["role"] == "system":
        if len(msgs) > 1:
            msgs[1]["content"] = msgs[0]["content"] + "\n" + msgs[1]["content"]
        msgs = msgs[1:]
    return msgs


def main():
    os.makedirs(GOLDEN, exist_ok=True)
    for name in os.listdir(GOLDEN):
        if name.endswith((".txt", ".error")):
            os.remove(os.path.join(GOLDEN, name))
    env = environment()
    families = {}
    count = 0
    for family, (tname, fname, bos, eos, date) in FAMILIES.items():
        with open(os.path.join(TEMPLATES, fname), encoding="utf-8") as f:
            template = env.from_string(f.read())
        system_ok = supports_system_role(template, bos, eos)
        families[family] = {"name": tname, "template": fname, "bos_token": bos, "eos_token": eos,
                            "date": date, "system_role": system_ok}
        for case, conv in CONVERSATIONS.items():
            msgs = conv if system_ok else polyfill_system(conv)
            for agp, suffix in ((True, "gen"), (False, "nogen")):
                base = os.path.join(GOLDEN, "%s__%s__%s" % (family, case, suffix))
                try:
                    out = render(template, msgs, agp, bos, eos, date, tname)
                except (Raised, jinja2.exceptions.UndefinedError, jinja2.exceptions.TemplateError) as e:
                    with open(base + ".error", "w", encoding="utf-8") as f:
                        f.write("%s: %s\n" % (type(e).__name__, e))
                else:
                    with open(base + ".txt", "w", encoding="utf-8", newline="") as f:
                        f.write(out)
                count += 1
    # Python's str.strip()/jinja's trim remove exactly the characters for which str.isspace() is true.
    with open(os.path.join(GOLDEN, "python_isspace.txt"), "w", encoding="utf-8") as f:
        f.write("".join("%x\n" % c for c in range(sys.maxunicode + 1) if chr(c).isspace()))
    with open(os.path.join(GOLDEN, "conversations.json"), "w", encoding="utf-8") as f:
        json.dump(CONVERSATIONS, f, ensure_ascii=False, indent=1)
        f.write("\n")
    with open(os.path.join(GOLDEN, "families.json"), "w", encoding="utf-8") as f:
        json.dump(families, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print("jinja2 %s: wrote %d golden renderings for %d families" % (jinja2.__version__, count, len(families)),
          file=sys.stderr)


if __name__ == "__main__":
    main()
