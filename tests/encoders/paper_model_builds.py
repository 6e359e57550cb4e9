"""Tiny random-weight builds of the paper's encoders, saved as local model folders the registry entries can load.

Each build keeps what decides how a model loads and pools (its architecture class and remote code, its tokenizer's
special tokens, its sentence-transformers modules and prompts) and shrinks only sizes (layers, widths, vocabulary).
Where ../shared/models has a model's real hub files (NV-Embed-v2, mGTE, INSTRUCTOR-XL) they are the starting
point: remote code and configs copied into the test's temporary folder, only the size fields changed. Elsewhere an
architecture of the same family is configured from the model card's values: RoBERTa (RoBERTa-base, BLaIR), BERT
with its pooler (ColBERTv2), T5 encoder (Sentence-T5), Qwen2 (GTE-Qwen2, KaLM, Jasper's text tower).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED_MODELS = Path(os.environ.get("GTEBENCH_SHARED_MODELS", ROOT.parent / "shared" / "models"))
HIDDEN = 32  # every tiny build's width; a Dense head (INSTRUCTOR, Sentence-T5) maps it to DENSE_OUT
DENSE_OUT = 24
# Sizes of the tiny stacks, shared by all families.
TINY = dict(num_hidden_layers=2, num_attention_heads=4, intermediate_size=64)
CORPUS = [
    "a small red lamp", "an oak desk with drawers and brass handles", "usb-c cable, 2 m", "running shoes for trail",
    "Instruct: Given a web search query, retrieve relevant passages that answer the query", "Query:",
    "Represent these documents for retrieval:", "Represent these questions for retrieving supporting documents:",
]
# Models whose build starts from real hub files in ../shared/models (the folder each needs).
SHARED_FOLDER = {"nv-embed-v2": "nv-embed-v2", "mgte": "mgte", "instructor-xl": "instructor-xl",
                 "sentence-t5-xxl": "instructor-xl"}  # Sentence-T5 borrows INSTRUCTOR's T5 tokenizer (same vocab)


def _bpe_tokenizer(specials: list[str], template: str, pad: str):
    """A byte-level BPE trained on CORPUS (deterministic), with `specials` first (ids 0..) and a post-processor
    that adds special tokens as `template` says ("<s> $A </s>", "$A <|endoftext|>", ...)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    backend = Tokenizer(models.BPE())
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    backend.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=specials, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    backend.train_from_iterator(CORPUS, trainer)
    used = [token for token in specials if token in template]
    backend.post_processor = processors.TemplateProcessing(
        single=template, special_tokens=[(token, backend.token_to_id(token)) for token in used])
    roles = {"<s>": "bos_token", "</s>": "eos_token", "<unk>": "unk_token", "<mask>": "mask_token"}
    named = {roles[t]: t for t in specials if t in roles}
    if "<|endoftext|>" in specials:
        named["eos_token"] = "<|endoftext|>"
    # RoBERTa's and Qwen2's tokenizers return no token_type_ids (Qwen2Model.forward would reject them)
    return PreTrainedTokenizerFast(tokenizer_object=backend, pad_token=pad, model_max_length=512,
                                   model_input_names=["input_ids", "attention_mask"], **named)


def _roberta_tokenizer():
    # RoBERTa's special-token ids: <s> 0, <pad> 1, </s> 2, <unk> 3, <mask> 4 (also XLM-R's order, for mGTE)
    return _bpe_tokenizer(["<s>", "<pad>", "</s>", "<unk>", "<mask>"], "<s> $A </s>", pad="<pad>")


def _qwen2_tokenizer():
    # Qwen2 tokenizers pad with <|endoftext|>; GTE-Qwen2's own tokenizer appends it (last-token pooling reads it)
    return _bpe_tokenizer(["<|endoftext|>", "<|im_start|>", "<|im_end|>"], "$A <|endoftext|>", pad="<|endoftext|>")


def _save(model, tokenizer, folder: Path) -> Path:
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def _roberta(folder: Path) -> Path:
    """RoBERTa-base and BLaIR (a RoBERTa fine-tune): card values max_position_embeddings 514, type_vocab_size 1."""
    from transformers import RobertaConfig, RobertaModel

    tokenizer = _roberta_tokenizer()
    config = RobertaConfig(vocab_size=len(tokenizer), hidden_size=HIDDEN, max_position_embeddings=514,
                           type_vocab_size=1, pad_token_id=1, bos_token_id=0, eos_token_id=2, **TINY)
    return _save(RobertaModel(config), tokenizer, folder)


def _colbert(folder: Path) -> Path:
    """ColBERTv2: a BERT-base-uncased encoder; the paper reads its pooler_output, so the pooler is kept."""
    from transformers import AutoTokenizer, BertConfig, BertModel

    from gtebench.encoders.offline import resolve_model_path
    from gtebench.encoders.registry import get_encoder

    # all-MiniLM-L6-v2 ships bert-base-uncased's WordPiece vocabulary (30,522), ColBERTv2's tokenizer
    tokenizer = AutoTokenizer.from_pretrained(resolve_model_path(get_encoder("minilm-l6")))
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=HIDDEN, **TINY)
    return _save(BertModel(config, add_pooling_layer=True), tokenizer, folder)


def _shrunk_config(source: Path, folder: Path, **sizes) -> dict:
    config = json.loads((source / "config.json").read_text())
    config.update(sizes)
    config["torch_dtype"] = "float32"
    (folder / "config.json").write_text(json.dumps(config, indent=1))
    return config


def _mgte(folder: Path) -> Path:
    """mGTE: Alibaba's remote code (configuration.py, modeling.py) from the hub files, config shrunk."""
    from transformers import AutoConfig, AutoModel

    source = SHARED_MODELS / "mgte"
    for name in ("configuration.py", "modeling.py"):
        shutil.copy(source / name, folder / name)
    tokenizer = _roberta_tokenizer()  # XLM-R's special tokens, in XLM-R's order
    _shrunk_config(source, folder, vocab_size=len(tokenizer), hidden_size=HIDDEN, max_position_embeddings=512, **TINY)
    model = AutoModel.from_config(AutoConfig.from_pretrained(folder, trust_remote_code=True), trust_remote_code=True)
    return _save(model, tokenizer, folder)


def _nv_embed(folder: Path) -> Path:
    """NV-Embed-v2: every hub file (remote code, tokenizer, sentence-transformers files) but the weights; the
    Mistral text tower and the latent-attention pooler shrunk. `_name_or_path` points at the folder because the
    remote code loads its tokenizer from there inside __init__."""
    from transformers import AutoConfig, AutoModel

    source = SHARED_MODELS / "nv-embed-v2"
    shutil.copytree(source, folder, dirs_exist_ok=True, ignore=shutil.ignore_patterns("model.safetensors.index.json"))
    config = json.loads((source / "config.json").read_text())
    config["text_config"].update(hidden_size=HIDDEN, num_key_value_heads=2, _name_or_path=str(folder), **TINY)
    config["latent_attention_config"].update(num_latents_value=8, num_cross_heads=2, hidden_dim=HIDDEN,
                                             latent_dim=HIDDEN, cross_dim_head=16)
    config.update(hidden_size=HIDDEN, _name_or_path=str(folder), torch_dtype="float32")
    (folder / "config.json").write_text(json.dumps(config, indent=1))
    model = AutoModel.from_config(AutoConfig.from_pretrained(folder, trust_remote_code=True), trust_remote_code=True)
    model.save_pretrained(folder)
    return folder


def _t5_encoder(folder: Path, tokenizer_source: Path) -> None:
    from transformers import AutoTokenizer, T5Config, T5EncoderModel

    tokenizer = AutoTokenizer.from_pretrained(tokenizer_source)
    config = T5Config(vocab_size=32128, d_model=HIDDEN, d_kv=8, d_ff=64, num_layers=2, num_heads=4,
                      feed_forward_proj="relu", is_encoder_decoder=False, use_cache=False)
    _save(T5EncoderModel(config), tokenizer, folder)


def _sentence_transformer(folder: Path, pooling: str, *, dense: bool, normalize: bool, prompts=None) -> None:
    """Wrap the plain model saved in `folder` in sentence-transformers modules (Transformer, Pooling[, Dense]
    [, Normalize]) and save the whole in place, as hub sentence-transformers repositories are laid out."""
    import torch
    from sentence_transformers import SentenceTransformer, models

    word = models.Transformer(str(folder), max_seq_length=512)
    modules = [word, models.Pooling(HIDDEN, pooling_mode=pooling)]
    if dense:  # INSTRUCTOR / Sentence-T5: a bias-free linear projection after the mean
        modules.append(models.Dense(HIDDEN, DENSE_OUT, bias=False, activation_function=torch.nn.Identity()))
    if normalize:
        modules.append(models.Normalize())
    SentenceTransformer(modules=modules, prompts=prompts or {}).save(str(folder))


def _instructor(folder: Path) -> Path:
    """INSTRUCTOR-XL: the hub's T5 config (shrunk) and tokenizer, and its module list Transformer, Pooling (mean),
    Dense, Normalize; the hub's 1_Pooling and 2_Dense configs are not in ../shared/models, so they are built."""
    source = SHARED_MODELS / "instructor-xl"
    _t5_encoder(folder, source)
    _sentence_transformer(folder, "mean", dense=True, normalize=True)
    # class names only: sentence-transformers 5+ writes longer module paths for the same classes
    hub_modules = [m["type"].rsplit(".", 1)[-1] for m in json.loads((source / "modules.json").read_text())]
    built = [m["type"].rsplit(".", 1)[-1] for m in json.loads((folder / "modules.json").read_text())]
    assert built == hub_modules, (built, hub_modules)  # the same modules as the hub's modules.json
    return folder


def _sentence_t5(folder: Path) -> Path:
    """Sentence-T5-XXL: T5 encoder, mean pooling, Dense to 768 without bias, Normalize (its hub modules)."""
    _t5_encoder(folder, SHARED_MODELS / "instructor-xl")
    _sentence_transformer(folder, "mean", dense=True, normalize=True)
    return folder


GTE_QWEN2_QUERY = "Instruct: Given a web search query, retrieve relevant passages that answer the query\nQuery: "
JASPER_S2P_QUERY = "Instruct: Given a web search query, retrieve relevant passages that answer the query.\nQuery: "


def _qwen2(folder: Path, pooling: str, *, padding_side: str = "right", prompts=None) -> Path:
    """A Qwen2 stack wrapped as the hub's sentence-transformers layout: Transformer, Pooling, Normalize."""
    from transformers import Qwen2Config, Qwen2Model

    tokenizer = _qwen2_tokenizer()
    tokenizer.padding_side = padding_side
    config = Qwen2Config(vocab_size=len(tokenizer), hidden_size=HIDDEN, num_key_value_heads=2,
                         max_position_embeddings=1024, **TINY)
    _save(Qwen2Model(config), tokenizer, folder)
    _sentence_transformer(folder, pooling, dense=False, normalize=True, prompts=prompts)
    return folder


BUILDERS = {
    "roberta-base": _roberta,
    "blair-base": _roberta,
    "blair-large": _roberta,
    "colbertv2": _colbert,
    "mgte": _mgte,
    "instructor-xl": _instructor,
    "sentence-t5-xxl": _sentence_t5,
    # KaLM mini-v1: Qwen2-0.5B, mean pooling, Normalize, no prompts
    "kalm": lambda folder: _qwen2(folder, "mean"),
    # Jasper's remote code (JasperVL: Qwen2 text tower, SigLIP vision tower, vector_linear heads) is not available
    # offline: its text tower stands in, with its prompts and its Normalize module
    "jasper": lambda folder: _qwen2(folder, "mean", prompts={"s2p_query": JASPER_S2P_QUERY,
                                                              "s2s_query": "Instruct: Retrieve semantically similar "
                                                              "text.\nQuery: "}),
    # GTE-Qwen2: last-token pooling over left-padded inputs that end in the appended <|endoftext|>
    "gte-qwen2": lambda folder: _qwen2(folder, "lasttoken", padding_side="left", prompts={"query": GTE_QWEN2_QUERY}),
    "nv-embed-v2": _nv_embed,
}


def build_tiny(key: str, folder: Path) -> Path:
    """Build the tiny stand-in of paper encoder `key` in `folder` (random weights, seed 0) and return it."""
    import torch

    folder.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    return BUILDERS[key](folder)
