import pytest
from fabrique.core.tests.browser import axe_violations, format_violations
pytestmark = pytest.mark.browser

def test_axe_sees(web, demo):
    web.open("/")
    web.driver.execute_script("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=x><input type=text><a href=#></a>'); document.querySelector('h1').style.color='#ddd'")
    v = axe_violations(web.driver)
    print(format_violations(v))
    r = web.driver.execute_async_script("const d=arguments[arguments.length-1]; axe.run(document,{runOnly:{type:'tag',values:['wcag2a','wcag2aa','wcag21a','wcag21aa']}}).then(r=>d([r.passes.length, r.incomplete.map(x=>x.id+':'+x.nodes.length), r.inapplicable.length]))")
    print(r)
    assert v
