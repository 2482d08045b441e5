"""The layer table edits layers cell by cell and refuses what the notes text would refuse."""

from __future__ import annotations

import pytest
from PyQt6.QtCore import Qt

from foleyline.desktop.layer_table import (
    EVENTS,
    GAIN,
    KIND,
    LABEL,
    MUTE,
    ROI,
    LayerTableModel,
    events_from_cell,
    events_to_cell,
)
from foleyline.errors import InvalidInput
from foleyline.notes.schema import Event, Layer, LayerKind, Region

LAYERS = (
    Layer(label="steps", kind=LayerKind.FOLEY, prompt="boots on gravel",
          events=(Event(0.5, 0.5, "left"), Event(1.0, 1.25, "scuff")), region=Region(0.5, 0.1, 0.2, 0.3, 0.4)),
    Layer(label="wind", kind=LayerKind.BG, prompt="gusts", gain_db=-6.0),
)


def _model() -> LayerTableModel:
    model = LayerTableModel()
    model.set_layers(LAYERS)
    return model


def test_the_model_is_a_well_behaved_table(qtmodeltester):
    qtmodeltester.check(_model())


def test_cells_show_each_field():
    model = _model()
    cell = lambda row, column: model.data(model.index(row, column))
    assert cell(0, KIND) == "FOLEY"
    assert cell(0, EVENTS) == "0.5 s: left; 1-1.25 s: scuff"
    assert cell(1, GAIN) == "-6.0"
    assert cell(0, ROI) == "0.10,0.20 0.30×0.40 @0.50s"
    assert cell(1, ROI) == "—"
    assert model.data(model.index(1, MUTE), Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked


def test_events_cell_reads_back_what_it_shows():
    assert events_from_cell(events_to_cell(LAYERS[0].events)) == LAYERS[0].events
    assert events_from_cell("  ") == ()
    with pytest.raises(InvalidInput, match="event 2"):
        events_from_cell("0.5 s: ok; soon: bad")


def test_edits_replace_the_layer_and_announce_it(qtbot):
    model = _model()
    with qtbot.waitSignal(model.layers_edited):
        assert model.setData(model.index(1, KIND), "fx")
    assert model.layers[1].kind is LayerKind.FX
    assert model.setData(model.index(1, GAIN), "-3 dB")
    assert model.layers[1].gain_db == -3.0
    assert model.setData(model.index(1, EVENTS), "2 s: gust")
    assert model.layers[1].events == (Event(2.0, 2.0, "gust"),)
    assert model.setData(model.index(1, MUTE), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    assert model.layers[1].mute


@pytest.mark.parametrize("column, text, message", [
    (KIND, "music", "not a layer kind"),
    (LABEL, "steps", "already called"),
    (LABEL, "  ", "needs a label"),
    (GAIN, "loud", "not a gain"),
    (GAIN, "90", "out of range"),
    (EVENTS, "-1 s: early", "0 s or later"),
])
def test_bad_cells_are_refused_with_a_message(qtbot, column, text, message):
    model = _model()
    with qtbot.waitSignal(model.edit_error) as blocker:
        assert not model.setData(model.index(1, column), text)
    assert message in blocker.args[0]
    assert model.layers == LAYERS


def test_add_and_remove_layers_keep_labels_unique(qtmodeltester):
    model = _model()
    row = model.add_layer()
    model.add_layer()
    labels = [layer.label for layer in model.layers]
    assert len(set(labels)) == len(labels) == 4
    model.remove_layer(row)
    assert len(model.layers) == 3
    qtmodeltester.check(model)
