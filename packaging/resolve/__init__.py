"""The DaVinci Resolve menu script, shipped in the wheel as ``foleyline.resolve_menu``:
``foleyline resolve install`` copies ``Foleyline.py`` into Resolve's Scripts/Utility folder.
Resolve runs the script itself; nothing imports this package's modules."""
