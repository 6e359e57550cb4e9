"""CPU feature checks and the fp32 matmul timing that pick the fast paths."""

from gtebench import hardware


def test_flags_decide_amx_and_bf16_dot_products(monkeypatch):
    monkeypatch.setattr(hardware, "cpu_flags", lambda: frozenset({"avx2", "fma"}))
    assert not hardware.cpu_has_amx() and not hardware.cpu_has_bf16_dot()
    monkeypatch.setattr(hardware, "cpu_flags", lambda: frozenset({"avx512f", "avx512_bf16"}))
    assert hardware.cpu_has_bf16_dot() and not hardware.cpu_has_amx()  # bf16 matmuls, but no AMX for encoders
    monkeypatch.setattr(hardware, "cpu_flags", lambda: frozenset({"amx_bf16", "amx_tile"}))
    assert hardware.cpu_has_amx() and hardware.cpu_has_bf16_dot()


def test_this_machines_flags_are_read():
    flags = hardware.cpu_flags()
    assert isinstance(flags, frozenset)
    assert not flags or "fpu" in flags  # on Linux the flags line lists the x87 unit first; elsewhere nothing


def test_matmul_rates_name_both_libraries():
    rates = hardware.fp32_matmul_rates(32, 16, 64, repeats=1)
    assert set(rates) == {"numpy", "torch"} and all(rate > 0 for rate in rates.values())


def test_datasheet_peaks_match_the_longest_gpu_name():
    assert hardware.datasheet_bf16_tflops("NVIDIA H200") == 989.0
    assert hardware.datasheet_bf16_tflops("NVIDIA L40S") == 362.0  # not L40's 181
    assert hardware.datasheet_bf16_tflops("NVIDIA A10G") == 70.0  # not A10's 125
    assert hardware.datasheet_bf16_tflops("NVIDIA A100-SXM4-80GB") == 312.0
    assert hardware.datasheet_bf16_tflops("Some Future GPU") is None


def test_bf16_matmul_rate_is_measured():
    assert hardware.bf16_matmul_tflops("cpu", n=64, repeats=1) > 0
