"""ONNX graphs written by hand with onnx.helper (there is no skl2onnx here).

Opsets are chosen for onnxruntime-node 1.30: the default domain at 17, ai.onnx.ml at 3. The
input is float32 [N, k] in the manifest's feature order; the output float32 [N, 1].
"""
from dataclasses import dataclass

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
ML_OPSET = 3


@dataclass
class Tree:
    """One regression tree in a neutral form: node i goes to `left[i]` when
    x[feature[i]] <= threshold[i], else to `right[i]`; leaves carry `value`."""
    left: np.ndarray
    right: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    value: np.ndarray
    is_leaf: np.ndarray


def tree_from_sklearn(tree, scale: float = 1.0) -> Tree:
    """A fitted sklearn `tree_` (e.g. one stage of GradientBoostingClassifier)."""
    leaf = tree.children_left == -1
    return Tree(tree.children_left, tree.children_right, tree.feature, tree.threshold,
                tree.value[:, 0, 0] * scale, leaf)


def tree_from_hist_predictor(predictor) -> Tree:
    """One predictor of HistGradientBoosting*: its leaf values already include shrinkage."""
    nodes = predictor.nodes
    return Tree(nodes['left'], nodes['right'], nodes['feature_idx'], nodes['num_threshold'],
                nodes['value'], nodes['is_leaf'].astype(bool))


def float32_at_most(value: float) -> float:
    """The largest float32 <= value. sklearn compares a float32 input with a float64
    threshold; ONNX compares in float32, and for a float32 x, x <= t exactly when
    x <= float32_at_most(t). Plain rounding could move a threshold onto a data value."""
    down = np.float32(value)
    if float(down) > value:
        down = np.nextafter(down, np.float32(-np.inf))
    return float(down)


class GraphBuilder:
    """Collects nodes and constants for one single-input, single-output graph."""

    def __init__(self, input_name: str, width: int):
        self.input = input_name
        self.width = width
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self._count = 0

    def _name(self, hint: str) -> str:
        self._count += 1
        return f'{hint}_{self._count}'

    def const(self, hint: str, array: np.ndarray) -> str:
        name = self._name(hint)
        self.initializers.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def op(self, op_type: str, inputs: list[str], hint: str | None = None,
           output: str | None = None, domain: str = '', **attrs) -> str:
        out = output or self._name(hint or op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [out], domain=domain, **attrs))
        return out

    def model(self, output: str, doc: str) -> onnx.ModelProto:
        graph = helper.make_graph(
            self.nodes, 'edutech_model',
            [helper.make_tensor_value_info(self.input, TensorProto.FLOAT, ['N', self.width])],
            [helper.make_tensor_value_info(output, TensorProto.FLOAT, ['N', 1])],
            initializer=self.initializers)
        model = helper.make_model(graph, producer_name='edutech-training', doc_string=doc,
                                  opset_imports=[helper.make_opsetid('', OPSET),
                                                 helper.make_opsetid('ai.onnx.ml', ML_OPSET)])
        model.ir_version = 8
        onnx.checker.check_model(model)
        return model


def log_standardise(g: GraphBuilder, x: str, log_mask: np.ndarray, mean: np.ndarray,
                    scale: np.ndarray) -> str:
    """(t(x) − mean) / scale, where t is log1p(max(x, 0)) on the masked columns and the
    identity elsewhere: the inputs of the linear and MLP models (see transforms.py)."""
    if log_mask.any():
        positive = g.op('Max', [x, g.const('zero', np.zeros(1, np.float32))])
        shifted = g.op('Add', [positive, g.const('one', np.ones(1, np.float32))])
        x = g.op('Where', [g.const('log_mask', log_mask.astype(bool)), g.op('Log', [shifted]), x])
    centred = g.op('Sub', [x, g.const('mean', mean.astype(np.float32))])
    return g.op('Div', [centred, g.const('scale', scale.astype(np.float32))])


def linear(g: GraphBuilder, z: str, coef: np.ndarray, intercept: float) -> str:
    """z · coef + intercept as [N, 1]."""
    weights = g.const('coef', np.asarray(coef, np.float32).reshape(-1, 1))
    product = g.op('MatMul', [z, weights])
    return g.op('Add', [product, g.const('intercept', np.array([intercept], np.float32))])


def tree_ensemble(g: GraphBuilder, x: str, trees: list[Tree], base: float = 0.0) -> str:
    """Sum of the trees' leaf values (+ base) as [N, 1], via ai.onnx.ml TreeEnsembleRegressor."""
    a = {k: [] for k in ('treeids', 'nodeids', 'featureids', 'modes', 'values', 'true', 'false')}
    t = {k: [] for k in ('treeids', 'nodeids', 'ids', 'weights')}
    for tree_id, tree in enumerate(trees):
        for node_id in range(len(tree.feature)):
            a['treeids'].append(tree_id)
            a['nodeids'].append(node_id)
            if tree.is_leaf[node_id]:
                a['featureids'].append(0)
                a['modes'].append('LEAF')
                a['values'].append(0.0)
                a['true'].append(0)
                a['false'].append(0)
                t['treeids'].append(tree_id)
                t['nodeids'].append(node_id)
                t['ids'].append(0)
                t['weights'].append(float(tree.value[node_id]))
            else:
                a['featureids'].append(int(tree.feature[node_id]))
                a['modes'].append('BRANCH_LEQ')
                a['values'].append(float32_at_most(float(tree.threshold[node_id])))
                a['true'].append(int(tree.left[node_id]))
                a['false'].append(int(tree.right[node_id]))
    return g.op(
        'TreeEnsembleRegressor', [x], hint='trees', domain='ai.onnx.ml',
        n_targets=1, aggregate_function='SUM', post_transform='NONE', base_values=[float(base)],
        nodes_treeids=a['treeids'], nodes_nodeids=a['nodeids'],
        nodes_featureids=a['featureids'], nodes_modes=a['modes'], nodes_values=a['values'],
        nodes_truenodeids=a['true'], nodes_falsenodeids=a['false'],
        target_treeids=t['treeids'], target_nodeids=t['nodeids'], target_ids=t['ids'],
        target_weights=t['weights'])


def clip(g: GraphBuilder, x: str, low: float, high: float, output: str | None = None) -> str:
    return g.op('Clip', [x, g.const('low', np.array(low, np.float32)),
                         g.const('high', np.array(high, np.float32))], output=output)
