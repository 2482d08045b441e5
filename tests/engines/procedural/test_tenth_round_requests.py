"""A tenth round of requests nobody had typed (w14-requests10): sixty requests by genre (horror, a
western, science fiction, war, sports, a kitchen, an office, a nature documentary, a kids' cartoon, a
thriller, a period drama, a city), Foley and hard effects, written down before the matcher saw them."""

from __future__ import annotations

from foleyline.notes import LayerKind

from .conftest import WARN

F, X, B = LayerKind.FOLEY, LayerKind.FX, LayerKind.BG

TENTH_ROUND = [
    # horror
    (X, "nails scratching down a chalkboard", ("scrape", WARN,)),
    (F, "body dragged across a wooden floor", ("scrape", "cloth", WARN,)),
    (X, "music box winding down", (WARN,)),
    (X, "cellar door slams shut", ("door",)),
    (B, "wind howling through a broken window", ("wind",)),
    # western
    (X, "bullwhip snaps", (WARN,)),
    (X, "wagon wheels rolling on a dirt road", (WARN,)),
    (F, "poker chips stacked on the table", ("click", WARN,)),
    (F, "leather saddle creaking", ("creak", "cloth",)),
    (X, "shot glass slid down the bar", ("scrape", "impact_glass",)),
    # science fiction
    (X, "teleporter hum", ("hum", WARN,)),
    (X, "blast door slides open", ("door", WARN,)),
    (X, "alien creature screech", (WARN,)),
    (X, "force field crackles", ("hum", WARN,)),
    (B, "hum of a starship bridge", ("hum", "room_tone",)),
    # war
    (X, "grenade explodes in the trench", ("explosion",)),
    (X, "heavy machine gun fire from a bunker", ("gunshot",)),
    (F, "army boots marching on a parade ground", ("steps_concrete", "steps_gravel",)),
    (X, "pulls the pin on a grenade", ("click", WARN,)),
    (B, "artillery shells landing far off", ("explosion",)),
    # sports
    (X, "tennis ball hit with a racket", ("ball_bounce",)),
    (X, "starting pistol fires", ("gunshot",)),
    (X, "swimmer dives into the pool", ("splash",)),
    (F, "basketball shoes squeak on the hardwood", (WARN,)),
    (X, "puck slapped into the boards", ("impact_wood", WARN,)),
    # a kitchen
    (X, "kettle whistling", (WARN,)),
    (X, "egg cracked into a bowl", (WARN,)),
    (X, "whisking eggs in a metal bowl", ("impact_metal", WARN,)),
    (X, "fridge door opens", ("door", WARN,)),
    (X, "pouring cereal into a bowl", (WARN,)),
    # an office
    (X, "filing cabinet drawer slammed", ("impact_metal", "door",)),
    (F, "office chair rolling across the floor", ("scrape", WARN,)),
    (X, "paper shredder", (WARN,)),
    (X, "mouse clicking", ("click",)),
    (X, "water cooler glugging", ("pour", "water",)),
    # a nature documentary
    (X, "waves crashing on rocks", ("surf",)),
    (X, "a pack of wolves howls at the moon", (WARN,)),
    (B, "frogs croaking by a pond", (WARN,)),
    (X, "woodpecker tapping on a tree", ("impact_wood", WARN,)),
    (B, "light drizzle in a rainforest", ("rain",)),
    # a kids' cartoon
    (X, "cartoon boing", (WARN,)),
    (X, "slide whistle going up", (WARN,)),
    (X, "bonk on the head", ("impact_body", "impact_wood", WARN,)),
    (X, "bubbles popping", ("water", WARN,)),
    (F, "tiptoeing on a wooden floor", ("steps_wood",)),
    # a thriller
    (X, "silenced pistol shot", (WARN,)),
    (X, "tires screeching", (WARN,)),
    (X, "handcuffs snapped shut", ("click", "keys",)),
    (X, "reloads and fires the rifle", (WARN,)),
    (X, "phone buzzing on the nightstand", (WARN,)),
    # a period drama
    (X, "carriage on cobblestones", ("hooves", WARN,)),
    (X, "quill scratching on parchment", ("paper", "scrape",)),
    (B, "fire crackling in the hearth", ("fire",)),
    (F, "silk dress rustling", ("cloth",)),
    (X, "teacup placed on its saucer", ("impact_glass",)),
    # a city
    (B, "traffic at a busy intersection", ("traffic",)),
    (X, "bus doors hiss open", ("door", WARN,)),
    (X, "pigeons flapping away", ("birds",)),
    (X, "subway train pulls into the station", (WARN,)),
    (F, "running on wet pavement", ("steps_concrete",)),
]
