"""Weight-update rules. Each keeps its state per parameter, no Qt, no threads.

All of them apply L2 weight decay to the weights (not the biases θ): E' = E + ½ λ Σ w².
`lr` (the article's η) is a plain attribute so a running training can be given a new rate between
batches.
"""

from __future__ import annotations

import numpy as np

from core.errors import ConfigError

OPTIMIZERS = ("sgd", "momentum", "adam")


class Optimizer:
    name = "base"

    def __init__(self, lr: float = 0.1, l2: float = 0.0):
        if not (lr > 0 and np.isfinite(lr)):
            raise ConfigError(f"The learning rate must be a positive number (got {lr}).")
        if not (l2 >= 0 and np.isfinite(l2)):
            raise ConfigError(f"L2 weight decay must be zero or positive (got {l2}).")
        self.lr = float(lr)
        self.l2 = float(l2)
        self.steps = 0

    def step(self, network) -> None:
        """Update all of the network's parameters in place from its gradients.

        Works on network.flat_params / flat_grads (every weight and bias in one array; the weights
        come first), so one update is a handful of ufunc calls whatever the depth. The gradient buffer
        is used as scratch space.
        """
        self.steps += 1
        scale = network.grad_scale                  # the gradients hold scale · ∂E/∂w
        if self.l2:
            n = network.n_weight_params
            g, w = network.flat_grads[:n], network.flat_params[:n]
            g += (self.l2 * scale) * w              # ∂/∂w of ½λw², weights only (not θ)
        self._update([network.flat_params], [network.flat_grads], scale)

    @property
    def grad_scale(self) -> float:
        """What the training loop should ask backward() to scale gradients by (see Network.backward)."""
        return 1.0

    @property
    def updates_in_backward(self) -> bool:
        """Whether the training loop may leave this rule's update to backward(sgd_decay=weight_keep)."""
        return False

    def _update(self, params, grads, scale):
        raise NotImplementedError

    def state_dict(self) -> dict:
        """Plain data (numbers and lists of arrays) for project files."""
        return {"name": self.name, "lr": self.lr, "l2": self.l2, "steps": self.steps}

    def load_state_dict(self, state: dict) -> None:
        self.lr, self.l2, self.steps = float(state["lr"]), float(state["l2"]), int(state["steps"])


class SGD(Optimizer):
    """The article's rule: Δw = −η ∂E/∂w."""
    name = "sgd"

    @property
    def grad_scale(self) -> float:
        return self.lr

    @property
    def updates_in_backward(self) -> bool:
        return type(self) is SGD

    @property
    def weight_keep(self) -> float:
        """The share of each weight L2 decay keeps in a step: w ← (1 − ηλ) w − η ∂E/∂w."""
        return 1.0 - self.lr * self.l2

    def _update(self, params, grads, scale):
        for p, g in zip(params, grads):
            if scale != self.lr:
                g *= self.lr / scale                # η ∂E/∂w
            p -= g


class Momentum(Optimizer):
    """v ← μ v − η ∂E/∂w;  w ← w + v."""
    name = "momentum"

    def __init__(self, lr=0.1, momentum=0.9, l2=0.0):
        super().__init__(lr, l2)
        if not 0 <= momentum < 1:
            raise ConfigError(f"Momentum must be in [0, 1) (got {momentum}).")
        self.momentum = float(momentum)
        self.velocity: list[np.ndarray] | None = None

    @property
    def grad_scale(self) -> float:
        return self.lr

    def _update(self, params, grads, scale):
        if self.velocity is None:
            self.velocity = [np.zeros_like(p) for p in params]
        for p, g, v in zip(params, grads, self.velocity):
            v *= self.momentum
            if scale != self.lr:
                g *= self.lr / scale                # η ∂E/∂w
            v -= g
            p += v

    def state_dict(self):
        return {**super().state_dict(), "momentum": self.momentum, "velocity": self.velocity}

    def load_state_dict(self, state):
        super().load_state_dict(state)
        self.momentum = float(state["momentum"])
        self.velocity = None if state.get("velocity") is None else [np.array(v) for v in state["velocity"]]


class Adam(Optimizer):
    """Adam (Kingma & Ba): per-weight steps from running means of the gradient and its square."""
    name = "adam"

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, l2=0.0):
        super().__init__(lr, l2)
        self.beta1, self.beta2, self.eps = float(beta1), float(beta2), float(eps)
        self.m: list[np.ndarray] | None = None
        self.v: list[np.ndarray] | None = None
        self._tmp: list[np.ndarray] | None = None

    def _update(self, params, grads, scale):
        if scale != 1.0:
            for g in grads:
                g /= scale
        if self.m is None:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
        if self._tmp is None or len(self._tmp) != len(params):
            self._tmp = [np.empty_like(p) for p in params]
        t = self.steps
        step = self.lr * np.sqrt(1 - self.beta2 ** t) / (1 - self.beta1 ** t)
        for p, g, m, v, tmp in zip(params, grads, self.m, self.v, self._tmp):
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            np.multiply(g, g, out=tmp)
            tmp *= 1 - self.beta2
            v += tmp
            np.sqrt(v, out=tmp)
            tmp += self.eps
            np.divide(m, tmp, out=tmp)
            tmp *= step
            p -= tmp

    def state_dict(self):
        return {**super().state_dict(), "beta1": self.beta1, "beta2": self.beta2, "eps": self.eps,
                "m": self.m, "v": self.v}

    def load_state_dict(self, state):
        super().load_state_dict(state)
        self.beta1, self.beta2, self.eps = float(state["beta1"]), float(state["beta2"]), float(state["eps"])
        self.m = None if state.get("m") is None else [np.array(a) for a in state["m"]]
        self.v = None if state.get("v") is None else [np.array(a) for a in state["v"]]


def make_optimizer(name: str, lr: float, *, momentum: float = 0.9, l2: float = 0.0) -> Optimizer:
    if name == "sgd":
        return SGD(lr, l2=l2)
    if name == "momentum":
        return Momentum(lr, momentum=momentum, l2=l2)
    if name == "adam":
        return Adam(lr, l2=l2)
    raise ConfigError(f"Unknown optimizer '{name}'. Choose one of: {', '.join(OPTIMIZERS)}.")
