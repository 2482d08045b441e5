"""A tenth round of requests nobody had typed (w14-requests10): sixty requests by genre (horror, a
western, science fiction, war, sports, a kitchen, an office, a nature documentary, a kids' cartoon, a
thriller, a period drama, a city), Foley and hard effects, written down before the matcher saw them."""

from __future__ import annotations

from foleyline.notes import LayerKind

F, X, B = LayerKind.FOLEY, LayerKind.FX, LayerKind.BG

TENTH_ROUND = [
    # horror
    (X, "nails scratching down a chalkboard"),
    (F, "body dragged across a wooden floor"),
    (X, "music box winding down"),
    (X, "cellar door slams shut"),
    (B, "wind howling through a broken window"),
    # western
    (X, "bullwhip snaps"),
    (X, "wagon wheels rolling on a dirt road"),
    (F, "poker chips stacked on the table"),
    (F, "leather saddle creaking"),
    (X, "shot glass slid down the bar"),
    # science fiction
    (X, "teleporter hum"),
    (X, "blast door slides open"),
    (X, "alien creature screech"),
    (X, "force field crackles"),
    (B, "hum of a starship bridge"),
    # war
    (X, "grenade explodes in the trench"),
    (X, "heavy machine gun fire from a bunker"),
    (F, "army boots marching on a parade ground"),
    (X, "pulls the pin on a grenade"),
    (B, "artillery shells landing far off"),
    # sports
    (X, "tennis ball hit with a racket"),
    (X, "starting pistol fires"),
    (X, "swimmer dives into the pool"),
    (F, "basketball shoes squeak on the hardwood"),
    (X, "puck slapped into the boards"),
    # a kitchen
    (X, "kettle whistling"),
    (X, "egg cracked into a bowl"),
    (X, "whisking eggs in a metal bowl"),
    (X, "fridge door opens"),
    (X, "pouring cereal into a bowl"),
    # an office
    (X, "filing cabinet drawer slammed"),
    (F, "office chair rolling across the floor"),
    (X, "paper shredder"),
    (X, "mouse clicking"),
    (X, "water cooler glugging"),
    # a nature documentary
    (X, "waves crashing on rocks"),
    (X, "a pack of wolves howls at the moon"),
    (B, "frogs croaking by a pond"),
    (X, "woodpecker tapping on a tree"),
    (B, "light drizzle in a rainforest"),
    # a kids' cartoon
    (X, "cartoon boing"),
    (X, "slide whistle going up"),
    (X, "bonk on the head"),
    (X, "bubbles popping"),
    (F, "tiptoeing on a wooden floor"),
    # a thriller
    (X, "silenced pistol shot"),
    (X, "tires screeching"),
    (X, "handcuffs snapped shut"),
    (X, "reloads and fires the rifle"),
    (X, "phone buzzing on the nightstand"),
    # a period drama
    (X, "carriage on cobblestones"),
    (X, "quill scratching on parchment"),
    (B, "fire crackling in the hearth"),
    (F, "silk dress rustling"),
    (X, "teacup placed on its saucer"),
    # a city
    (B, "traffic at a busy intersection"),
    (X, "bus doors hiss open"),
    (X, "pigeons flapping away"),
    (X, "subway train pulls into the station"),
    (F, "running on wet pavement"),
]
