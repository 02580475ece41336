"""Binaural placement with a spherical-head model, generated here rather than measured.

The model is Brown and Duda's ("A structural model for binaural sound synthesis", IEEE
Transactions on Speech and Audio Processing 6(5), 1998): each ear gets the delay of the
path round a rigid sphere (Woodworth's formula) and a one-pole, one-zero head-shadow
filter whose high-frequency gain depends on the angle between the sound and that ear.
It gives the interaural time and level differences by frequency, without pinnae or
elevation; no measured data is used, so there is no licence beyond this project's own.
"""

from __future__ import annotations

import numpy as np

HEAD_RADIUS_M = 0.0875
SPEED_OF_SOUND_M_S = 343.0
# Brown and Duda's shadow parameters: the deepest shadow and the angle it is reached at.
ALPHA_MIN = 0.1
THETA_MIN_DEG = 150.0
# Samples per placement step: the direction is updated every 512 samples (about 11 ms).
STEP = 512
TAPS = 128
_FFT = 2 * STEP  # >= STEP + TAPS - 1: the convolution of a step with a response fits


def ear_response(incidence_deg: np.ndarray, rate: int, n: int) -> np.ndarray:
    """Spectra (rfft of size ``n``) of one ear for sounds at angles from that ear's axis."""
    a_c = HEAD_RADIUS_M / SPEED_OF_SOUND_M_S
    theta = np.radians(incidence_deg)[:, None]
    w = 2 * np.pi * np.fft.rfftfreq(n, 1 / rate)[None, :]
    w0 = 1 / a_c
    alpha = (1 + ALPHA_MIN / 2) + (1 - ALPHA_MIN / 2) * np.cos(
        incidence_deg[:, None] / THETA_MIN_DEG * np.pi
    )
    shadow = (1 + 1j * alpha * w / (2 * w0)) / (1 + 1j * w / (2 * w0))
    # Woodworth: the facing ear hears early (-a/c cos θ), the far one late (the arc round).
    delay = np.where(theta < np.pi / 2, -a_c * np.cos(theta), a_c * (theta - np.pi / 2))
    delay = delay + a_c + 2 / rate  # causal, with room for the interpolation
    return shadow * np.exp(-1j * w * delay)


class Binaural:
    """Places mono signals by azimuth, one whole degree at a time, for both ears."""

    def __init__(self, rate: int) -> None:
        az = np.arange(360, dtype=np.float64)
        signed = (az + 180) % 360 - 180
        # Angle from each ear's axis: the right ear points at +90, the left at -90.
        right_inc = np.abs((signed - 90 + 180) % 360 - 180)
        left_inc = np.abs((signed + 90 + 180) % 360 - 180)
        responses = []
        for inc in (left_inc, right_inc):
            ir = np.fft.irfft(ear_response(inc, rate, _FFT), _FFT)[:, :TAPS]
            ir *= np.hanning(2 * TAPS)[TAPS:]  # fade the tail of the truncated response
            # Same low-frequency level as a centred equal-power pan.
            responses.append(np.fft.rfft(ir * np.sqrt(0.5), _FFT))
        self._spectra = np.stack(responses)  # (ear, azimuth, bin)
        self._tails: dict[str, tuple[int, np.ndarray]] = {}

    def place(
        self, voice: str, signal: np.ndarray, azimuth: np.ndarray, first: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Left and right for ``signal`` (starting at sample ``first`` of the render) heard
        from ``azimuth`` (degrees, per sample); the tail left from the voice's previous
        block is added back."""
        n = signal.size
        steps = -(-n // STEP)
        padded = np.zeros(steps * STEP)
        padded[:n] = signal
        chunks = np.fft.rfft(padded.reshape(steps, STEP), _FFT)
        centre = azimuth[np.minimum(np.arange(steps) * STEP + STEP // 2, n - 1)]
        index = np.round(centre).astype(np.int64) % 360
        out = np.zeros((2, (steps + 1) * STEP))
        for ear in range(2):
            parts = np.fft.irfft(chunks * self._spectra[ear, index], _FFT)
            # Overlap-add: each step's second half lands on the next step's first.
            out[ear, : steps * STEP] += parts[:, :STEP].ravel()
            out[ear, STEP:] += parts[:, STEP:].ravel()
        previous = self._tails.get(voice)
        if previous is not None and previous[0] == first:
            tail = previous[1]
            out[:, : tail.shape[1]] += tail
        self._tails[voice] = (first + n, out[:, n:].copy())
        return out[0, :n], out[1, :n]
